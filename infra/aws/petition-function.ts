/**
 * One hanbeon entry file (a workflow Task or an API handler) as a Lambda function: bundled by the
 * local esbuild into one ESM file, with its own log group and its own role (no managed policies).
 */
import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Lets CommonJS dependencies `require()` inside the ESM bundle. */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface PetitionFunctionProps {
  /** The repository root: esbuild's working directory and the root of `entry`. */
  readonly projectRoot: string;
  /** Module exporting `handler`, relative to `projectRoot` (e.g. `functions/workflow/decide.ts`). */
  readonly entry: string;
  /**
   * Directories under `projectRoot` copied beside the bundle (read at run time from /var/task/<dir>).
   * @default - none
   */
  readonly includeDirectories?: readonly string[];
  /**
   * Directories built elsewhere (absolute `from`) copied into the bundle at `to` (read at run time
   * from /var/task/<to>), such as the verification page that web/build.ts builds at synth.
   * @default - none
   */
  readonly builtDirectories?: readonly { readonly from: string; readonly to: string }[];
  /** Environment the composition root reads (see PlatformStack). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Maximum run time of one invocation.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Memory (and proportional CPU) in MiB.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * How long the function's log events are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Invocations that may run at once (1 makes the function a single writer, e.g. the audit chainer).
   * @default - no reservation (the account's unreserved concurrency)
   */
  readonly reservedConcurrentExecutions?: number;
}

/** A NodejsFunction with the platform's defaults: Node 22 on ARM, ESM, X-Ray, JSON logs. */
export class PetitionFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PetitionFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR });

    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(props.projectRoot, props.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      // The entry file is in the description so an operator (and the tests) can tell what runs where.
      description: `hanbeon ${props.entry}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Bundle the AWS SDK: the versions in package-lock.json are the ones tested, not the runtime's.
        bundleAwsSDK: true,
        // esbuild is a devDependency (DESIGN §8): never fall back to Docker.
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            ...(props.includeDirectories ?? []).map((dir) => `mkdir -p "${path.dirname(path.join(outputDir, dir))}" && cp -R "${path.join(inputDir, dir)}" "${path.join(outputDir, dir)}"`),
            ...(props.builtDirectories ?? []).map(({ from, to }) => `mkdir -p "${path.dirname(path.join(outputDir, to))}" && cp -R "${from}" "${path.join(outputDir, to)}"`),
          ],
        },
      },
    });

    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is pinned on purpose: package.json engines (>=22.12 <23) and the local platform run the same code on Node 22; moving to a newer runtime is one coordinated change.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
      },
    );
  }
}
