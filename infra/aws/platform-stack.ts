/**
 * The AWS deployment of hanbeon: the single table, the document bucket, one Lambda per workflow Task
 * and per API entry file, the petition state machine (the same chain the local runner executes) and
 * the HTTP API in front of it. Environment-agnostic: synthesizes without an account or credentials.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Stage, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type CorsPreflightOptions } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { API_ROUTES, workflowEntry, type ApiRoute } from '../../functions/api/routes.ts';
import { TABLE_KEYS } from '../../shared/store/table.ts';
import { definePetitionWorkflow, TASK_STATES, type PetitionWorkflowProps, type TaskState } from '../../workflows/petition-workflow.ts';
import { PetitionFunction } from './petition-function.ts';
import { writeVerifyPageSync } from '../../web/build.ts';
import { VERIFY_PAGE_DIRECTORY } from '../../web/verify-page-assets.ts';

/** The repository root: esbuild bundles entry files relative to it, with its package-lock.json. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Placeholder OIDC issuer: a reserved domain (RFC 2606), so an undeployed setting rejects every token. */
export const DEFAULT_OIDC_ISSUER = 'https://login.hanbeon.invalid';
export const DEFAULT_OIDC_AUDIENCE = 'hanbeon';

/** Placeholder public address (RFC 2606): set context `hanbeon:publicBaseUrl` to the API's real address. */
export const DEFAULT_PUBLIC_BASE_URL = 'https://api.hanbeon.invalid';

/** The PKI's own keys (shared/seal/trust-hierarchy.ts names them); agencies add `agency-seal-<id>`. */
export const PKI_KEY_NAMES = ['root-ca', 'seal-ca', 'platform-seal', 'tsa'] as const;
export const agencySealKeyName = (agencyId: string): string => `agency-seal-${agencyId}`;

/** The Tasks that announce an outcome to agencies (shared/workflow/petition-events.ts): they wake the webhook worker. */
const ANNOUNCING_STATES = ['Complete', 'Reject', 'RequestReview', 'EscalateReview', 'RecordFailure'] as const;

/** Per-request agency timeout assumed when an agency sets none (functions/compose.ts applies 5 s). */
export const DEFAULT_AGENCY_TIMEOUT_MS = 10_000;
/**
 * Time FetchEvidence needs beyond one agency call: a cold start fetches every agency's keys
 * (5 s limit each), then the issuer signature is checked and the evidence written.
 */
const FETCH_EVIDENCE_MARGIN = Duration.seconds(30);
/** Run-time limit of every other Task. */
const TASK_TIMEOUT = Duration.seconds(60);

/** Petition types and agencies (templates/) ship inside every bundle; the catalog is read at cold start. */
const TEMPLATES_DIR = 'templates';
const LAMBDA_TASK_ROOT = '/var/task';
/** Noto Sans KR (OFL), as the npm package lays it out; fontPathsIn() reads this layout. */
const FONT_PACKAGE = 'node_modules/@expo-google-fonts/noto-sans-kr';
const FONT_DIRECTORIES = [`${FONT_PACKAGE}/400Regular`, `${FONT_PACKAGE}/700Bold`];

/** The API route that starts petitions: its function alone may start executions. */
const SUBMIT_ROUTE_ID = 'SubmitPetition';
/** Serves the verification page, which web/build.ts builds at synth (esbuild is not in the Lambda). */
const VERIFY_PAGE_ENTRY = 'functions/api/verify-page.ts';

/** How the platform reaches one issuing agency; serialized into HANBEON_AGENCIES. */
export interface AgencyEndpoint {
  readonly baseUrl: string;
  /**
   * Complete ARN (with the 6-character suffix) of a Secrets Manager secret holding the agency credential.
   * @default - no credential
   */
  readonly credentialSecretArn?: string;
  /**
   * Per-request timeout.
   * @default DEFAULT_AGENCY_TIMEOUT_MS
   */
  readonly timeoutMs?: number;
  /**
   * Where the agency publishes its document-signing keys.
   * @default - the connector's convention for the agency
   */
  readonly jwksUrl?: string;
}

export interface PlatformStackProps extends StackProps {
  /**
   * Issuer of citizen tokens (the `iss` claim); the JWT authorizer fetches its OIDC discovery document.
   * @default DEFAULT_OIDC_ISSUER, a placeholder that accepts no token (set context `hanbeon:oidcIssuer`)
   */
  readonly oidcIssuer?: string;
  /**
   * Audience citizen tokens must be issued for (the `aud` claim).
   * @default DEFAULT_OIDC_AUDIENCE
   */
  readonly oidcAudience?: string;
  /**
   * Issuing agencies by agency id.
   * @default {} (no agency configured)
   */
  readonly agencies?: Readonly<Record<string, AgencyEndpoint>>;
  /**
   * Options of the petition workflow definition.
   * @default - the workflow's own defaults
   */
  readonly workflow?: PetitionWorkflowProps;
  /**
   * Retention of function, state machine and API access logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Steady-state request rate allowed on the API's default stage (requests per second).
   * @default 50
   */
  readonly apiRateLimit?: number;
  /**
   * Burst of requests allowed on the API's default stage.
   * @default 100
   */
  readonly apiBurstLimit?: number;
  /**
   * Origins of browser front ends allowed to call the API.
   * @default - CORS disabled (same-origin or server-side callers only)
   */
  readonly allowedOrigins?: string[];
  /**
   * The API's public address, carried by CRL distribution points, verification QR codes and links.
   * (Not the HTTP API's own URL: its functions would then depend on the API that depends on them.)
   * @default DEFAULT_PUBLIC_BASE_URL (set context `hanbeon:publicBaseUrl`)
   */
  readonly publicBaseUrl?: string;
  /**
   * Agencies that seal results (one KMS key and seal certificate each): the handling agencies of the catalog.
   * @default - every agency in templates/agencies
   */
  readonly sealingAgencies?: readonly string[];
}

const logicalIdOf = (resource: IConstruct): string => Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement);

/** cdk-nag's IAM5 finding for a wildcard below an ARN CDK generated, e.g. `<Table1234.Arn>/index/*`. */
const wildcardUnder = (resource: IConstruct, suffix: string): string => `AwsSolutions-IAM5[Resource::<${logicalIdOf(resource)}.Arn>${suffix}]`;

export class PlatformStack extends Stack {
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
  readonly stateMachine: sfn.StateMachine;
  readonly httpApi: HttpApi;
  /** The function that runs each Task state. */
  readonly taskFunctions: Readonly<Record<TaskState, NodejsFunction>>;
  /** The function built from each API entry file (one per distinct `entry` in API_ROUTES). */
  readonly apiFunctions: ReadonlyMap<string, NodejsFunction>;
  /** The PKI's signing keys by key name (ECC_NIST_P256, ADR 0004); certificates are issued by `hanbeon pki init --aws`. */
  readonly signingKeys: ReadonlyMap<string, kms.Key>;
  /** Named, so that a function the machine invokes can be granted task responses on it without a cycle. */
  get stateMachineName(): string {
    return `${this.stackName}-petition`;
  }
  /** Wakes the webhook worker; a dead-letter queue keeps what it failed to process. */
  readonly deliveryQueue: sqs.Queue;
  /** Links the audit trail and seals its checkpoints (docs/adr/0008): the chain's single writer. */
  readonly auditChainer: NodejsFunction;
  /** HMAC key of resident registration numbers (only a keyed hash of them is ever kept). */
  readonly residentNumberKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: PlatformStackProps = {}) {
    super(scope, id, props);

    const oidcIssuer = props.oidcIssuer ?? DEFAULT_OIDC_ISSUER;
    const oidcAudience = props.oidcAudience ?? DEFAULT_OIDC_AUDIENCE;
    const agencies = props.agencies ?? {};
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.table = this.createTable();
    this.bucket = this.createBucket();
    this.signingKeys = this.createSigningKeys(props.sealingAgencies ?? []);
    this.residentNumberKey = this.createResidentNumberKey();

    // The contract with the composition root: these names, nothing else.
    const environment: Record<string, string> = {
      HANBEON_MODE: 'aws',
      HANBEON_TABLE_NAME: this.table.tableName,
      HANBEON_BUCKET_NAME: this.bucket.bucketName,
      HANBEON_OIDC_ISSUER: oidcIssuer,
      HANBEON_OIDC_AUDIENCE: oidcAudience,
      HANBEON_AGENCIES: JSON.stringify(agencies),
      HANBEON_TEMPLATES_DIR: `${LAMBDA_TASK_ROOT}/${TEMPLATES_DIR}`,
      HANBEON_PUBLIC_BASE_URL: props.publicBaseUrl ?? DEFAULT_PUBLIC_BASE_URL,
      HANBEON_KMS_KEYS: this.toJsonString(Object.fromEntries([...this.signingKeys].map(([name, key]) => [name, key.keyArn]))),
      HANBEON_RRN_HASH_KEY_SECRET_ARN: this.residentNumberKey.secretArn,
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'hanbeon',
    };

    // --- workflow Tasks -------------------------------------------------------------------------
    const tasks = new Construct(this, 'Tasks');
    const taskFunctions = {} as Record<TaskState, NodejsFunction>;
    for (const state of TASK_STATES) {
      const rendersPdf = state === 'RenderResult';
      const fn = new PetitionFunction(tasks, state, {
        projectRoot: PROJECT_ROOT,
        entry: workflowEntry(state),
        // The result's Korean font ships beside the code of the one function that sets text.
        includeDirectories: rendersPdf ? [TEMPLATES_DIR, ...FONT_DIRECTORIES] : [TEMPLATES_DIR],
        environment: rendersPdf ? { ...environment, HANBEON_FONTS_DIR: `${LAMBDA_TASK_ROOT}/${FONT_PACKAGE}` } : environment,
        memorySize: 1024,
        timeout: state === 'FetchEvidence' ? fetchEvidenceTimeout(agencies) : TASK_TIMEOUT,
        logRetention,
      });
      this.table.grantReadWriteData(fn.function);
      this.bucket.grantReadWrite(fn.function);
      this.acknowledgeTableIndexes(fn);
      this.acknowledgeBucketReadWrite(fn);
      taskFunctions[state] = fn.function;
    }
    this.taskFunctions = taskFunctions;
    this.grantAgencyCredentials(taskFunctions.FetchEvidence, agencies);
    // Least privilege for the keys: the platform seal issues applicant seals; results are sealed by
    // the agencies' keys and timestamped by the TSA. The root and Seal CA keys serve only the
    // operator's `hanbeon pki` commands: no function may use them.
    this.grantSigning(taskFunctions.IssueSeal, ['platform-seal']);
    this.grantSigning(taskFunctions.SignResult, ['tsa', ...[...this.signingKeys.keys()].filter((name) => name.startsWith('agency-seal-'))]);

    // --- audit trail ----------------------------------------------------------------------------
    this.auditChainer = this.createAuditChainer(environment, logRetention);

    // --- the state machine ----------------------------------------------------------------------
    this.stateMachine = this.createStateMachine(taskFunctions, props.workflow ?? {}, logRetention);

    // --- webhook delivery -----------------------------------------------------------------------
    this.deliveryQueue = this.createDeliveryWorker(environment, logRetention);
    // RequestReview resumes at once when a decision was recorded before its wait began. Its grant
    // names the state machine by its ARN, not by reference: the machine already depends on the function.
    taskFunctions.RequestReview.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: [this.formatArn({ service: 'states', resource: 'stateMachine', resourceName: this.stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    for (const state of ANNOUNCING_STATES) {
      this.deliveryQueue.grantSendMessages(taskFunctions[state]);
      taskFunctions[state].addEnvironment('HANBEON_DELIVERY_QUEUE_URL', this.deliveryQueue.queueUrl);
    }

    // --- API ------------------------------------------------------------------------------------
    if (!API_ROUTES.some((route) => route.id === SUBMIT_ROUTE_ID)) {
      throw new Error(`API_ROUTES has no route with id '${SUBMIT_ROUTE_ID}'; expected the route that starts petitions`);
    }
    const api = new Construct(this, 'Api');
    const apiFunctions = new Map<string, NodejsFunction>();
    for (const [entry, routes] of groupByEntry(API_ROUTES)) {
      const starts = routes.some((route) => route.id === SUBMIT_ROUTE_ID);
      const fn = new PetitionFunction(api, functionIdOf(entry), {
        projectRoot: PROJECT_ROOT,
        entry,
        includeDirectories: [TEMPLATES_DIR],
        ...(entry === VERIFY_PAGE_ENTRY ? { builtDirectories: [{ from: this.buildVerifyPage(), to: VERIFY_PAGE_DIRECTORY }] } : {}),
        environment: starts ? { ...environment, HANBEON_STATE_MACHINE_ARN: this.stateMachine.stateMachineArn } : environment,
        memorySize: 512,
        // Below the HTTP API's 30 s integration limit, so the client gets our problem document.
        timeout: Duration.seconds(10),
        logRetention,
      });
      // Writes only where a route writes; public routes serve the bundled catalog and get no table access.
      const access = tableAccessOf(routes);
      if (access === 'read-write') this.table.grantReadWriteData(fn.function);
      if (access === 'read') this.table.grantReadData(fn.function);
      if (access !== 'none') this.acknowledgeTableIndexes(fn);
      if (starts) this.stateMachine.grantStartExecution(fn.function);
      // A case officer's decision resumes the execution waiting for it (SendTaskSuccess with its token).
      if (routes.some((route) => route.id === 'DecideReview')) this.stateMachine.grantTaskResponse(fn.function);
      // Signed results and the trust manifest (root certificate, CRLs) are read from the bucket.
      if (routes.some((route) => route.id === 'GetResult' || route.id === 'GetAgencyResult')) this.grantObjectRead(fn, 'results/', 'signed results, whose keys are generated per petition');
      if (routes.some((route) => route.id === 'GetCrl' || route.id === 'GetRootCertificate')) this.grantObjectRead(fn, 'pki/', 'the trust manifest (certificates and CRLs)');
      if (routes.some((route) => route.auth === 'citizen')) this.residentNumberKey.grantRead(fn.function);
      apiFunctions.set(entry, fn.function);
    }
    this.apiFunctions = apiFunctions;

    this.httpApi = this.createHttpApi(api, apiFunctions, {
      oidcIssuer,
      oidcAudience,
      logRetention,
      rateLimit: props.apiRateLimit ?? 50,
      burstLimit: props.apiBurstLimit ?? 100,
      allowedOrigins: props.allowedOrigins,
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    // What `hanbeon pki init --aws` needs as HANBEON_KMS_KEYS (with BucketName as HANBEON_BUCKET_NAME).
    new CfnOutput(this, 'KmsKeys', { value: this.toJsonString(Object.fromEntries([...this.signingKeys].map(([name, key]) => [name, key.keyArn]))) });
  }

  /** Builds the verification page into the cloud assembly directory (never committed, rebuilt each synth). */
  private buildVerifyPage(): string {
    const outdir = Stage.of(this)?.outdir;
    if (outdir === undefined) throw new Error(`stack ${this.stackName} is not inside a Stage; expected an App, whose outdir receives the built verification page`);
    return writeVerifyPageSync(path.join(outdir, `${this.stackName}.verify-page`));
  }

  private createDeliveryWorker(environment: Record<string, string>, logRetention: logs.RetentionDays): sqs.Queue {
    const scope = new Construct(this, 'Delivery');
    const deadLetters = new sqs.Queue(scope, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the delivery queue; it has none of its own.' });
    const worker = new PetitionFunction(scope, 'DeliverWebhooks', {
      projectRoot: PROJECT_ROOT,
      entry: 'functions/delivery/deliver-webhooks.ts',
      includeDirectories: [TEMPLATES_DIR],
      environment,
      memorySize: 512,
      // Room for several 15 s attempts; the worker stops starting runs 20 s before the end.
      timeout: Duration.minutes(2),
      logRetention,
    });
    this.table.grantReadWriteData(worker.function);
    this.acknowledgeTableIndexes(worker);
    const queue = new sqs.Queue(scope, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the worker's timeout, so a message is not redelivered while a run still holds it.
      visibilityTimeout: Duration.minutes(6),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
    });
    worker.function.addEventSource(new SqsEventSource(queue, { batchSize: 10, maxBatchingWindow: Duration.seconds(1) }));
    // Retries fall due minutes to hours after the announcement: a schedule runs the worker for them.
    new events.Rule(scope, 'Schedule', { schedule: events.Schedule.rate(Duration.minutes(1)), targets: [new targets.LambdaFunction(worker.function)] });
    return queue;
  }

  /**
   * The audit chainer: a one-minute schedule and a reserved concurrency of one make it the chain's
   * only writer. It signs checkpoints with the platform seal and timestamps them with the TSA, and
   * reads the trust manifest (the platform seal's certificate and chain) from the bucket.
   */
  private createAuditChainer(environment: Record<string, string>, logRetention: logs.RetentionDays): NodejsFunction {
    const scope = new Construct(this, 'Audit');
    const chainer = new PetitionFunction(scope, 'ChainAuditTrail', {
      projectRoot: PROJECT_ROOT,
      entry: 'functions/audit/chain-audit-trail.ts',
      includeDirectories: [TEMPLATES_DIR],
      environment,
      memorySize: 512,
      // A run that times out is finished by the next one (the head names the record it was claimed for).
      timeout: Duration.minutes(2),
      reservedConcurrentExecutions: 1,
      logRetention,
    });
    this.table.grantReadWriteData(chainer.function);
    this.acknowledgeTableIndexes(chainer);
    this.grantObjectRead(chainer, 'pki/', 'the trust manifest (the platform seal certificate and its chain)');
    this.grantSigning(chainer.function, ['platform-seal', 'tsa']);
    new events.Rule(scope, 'Schedule', { schedule: events.Schedule.rate(Duration.minutes(1)), targets: [new targets.LambdaFunction(chainer.function)] });
    return chainer.function;
  }

  private createSigningKeys(sealingAgencies: readonly string[]): Map<string, kms.Key> {
    const scope = new Construct(this, 'SigningKeys');
    const keys = new Map<string, kms.Key>();
    for (const name of [...PKI_KEY_NAMES, ...sealingAgencies.map(agencySealKeyName)]) {
      keys.set(
        name,
        new kms.Key(scope, name, {
          description: `hanbeon PKI key '${name}' (ECDSA P-256; the private key never leaves KMS)`,
          keySpec: kms.KeySpec.ECC_NIST_P256,
          keyUsage: kms.KeyUsage.SIGN_VERIFY,
          alias: `alias/hanbeon/${name}`,
          // A deleted key would orphan every certificate issued for it.
          removalPolicy: RemovalPolicy.RETAIN,
          pendingWindow: Duration.days(30),
        }),
      );
    }
    return keys;
  }

  private grantSigning(fn: NodejsFunction, keyNames: readonly string[]): void {
    for (const name of keyNames) this.signingKeys.get(name)?.grant(fn, 'kms:Sign', 'kms:GetPublicKey');
  }

  private createResidentNumberKey(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'ResidentNumberKey', {
      description: 'hanbeon: HMAC key for resident registration numbers (base64 alphabet, 48 bytes)',
      // 64 letters and digits are valid base64 of 48 random-looking bytes.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the resident-number HMAC key would break matching every stored keyed hash (and the seal certificates that carry them); it is rotated by a planned re-keying, not automatically.',
    });
    return secret;
  }

  private createTable(): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // No TTL: expiry is checked by the code, because dynalite (local) has no TTL (DESIGN §5).
    });
    // Projections mirror createTableInput in shared/store/table.ts (local mode and tests).
    table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.byCitizen.indexName,
      partitionKey: { name: TABLE_KEYS.byCitizen.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.byCitizen.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.active.indexName,
      partitionKey: { name: TABLE_KEYS.active.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.active.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    return table;
  }

  private createBucket(): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'AccessLogBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Server access log delivery supports SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    return new s3.Bucket(this, 'DocumentBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private createStateMachine(taskFunctions: Record<TaskState, NodejsFunction>, workflowProps: PetitionWorkflowProps, logRetention: logs.RetentionDays) {
    // States live in their own scope so their construct ids (the state names) cannot collide.
    const workflow = new Construct(this, 'Workflow');
    const chain = definePetitionWorkflow(workflow, (state) => taskFunctions[state], workflowProps);
    const stateMachine = new sfn.StateMachine(workflow, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(chain),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(workflow, 'Logs', { retention: logRetention }),
        level: sfn.LogLevel.ALL,
        // Payloads carry ids only, but keep personal data out of logs regardless.
        includeExecutionData: false,
      },
    });
    Validations.of(workflow).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions logging and X-Ray tracing: the CloudWatch Logs delivery actions (logs:CreateLogDelivery, ...) and xray:PutTraceSegments do not support resource-level permissions.',
      },
      ...TASK_STATES.map((state) => ({
        id: wildcardUnder(taskFunctions[state], ':*'),
        reason: `Invoking the ${state} function by any version or alias (ARN:*) is how CDK's LambdaInvoke grants access; it is still this one function.`,
      })),
    );
    return stateMachine;
  }

  private createHttpApi(
    scope: Construct,
    functions: ReadonlyMap<string, NodejsFunction>,
    options: { oidcIssuer: string; oidcAudience: string; logRetention: logs.RetentionDays; rateLimit: number; burstLimit: number; allowedOrigins: string[] | undefined },
  ): HttpApi {
    const corsPreflight: CorsPreflightOptions | undefined =
      options.allowedOrigins === undefined
        ? undefined
        : {
            allowOrigins: options.allowedOrigins,
            allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
            allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
            maxAge: Duration.hours(1),
          };
    const httpApi = new HttpApi(scope, 'HttpApi', {
      description: 'hanbeon civil petitions',
      // The default stage is created below so that it can have access logs (APIG1).
      createDefaultStage: false,
      ...(corsPreflight === undefined ? {} : { corsPreflight }),
    });

    const stage = new HttpStage(scope, 'DefaultStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: options.rateLimit, burstLimit: options.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(new logs.LogGroup(scope, 'AccessLogs', { retention: options.logRetention })),
        // No user or token fields: the request id ties a line to the function's logs.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            sourceIp: '$context.identity.sourceIp',
          }),
        ),
      },
    });

    const authorizer = new HttpJwtAuthorizer('CitizenAuthorizer', options.oidcIssuer, { jwtAudience: [options.oidcAudience] });
    for (const route of API_ROUTES) {
      const fn = functions.get(route.entry);
      if (fn === undefined) throw new Error(`No function for route ${route.id}: expected one built from ${route.entry}`);
      const [httpRoute] = httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn),
        ...(route.auth === 'citizen' ? { authorizer } : {}),
      });
      if (route.auth === 'none' && httpRoute !== undefined) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by design (routes.ts auth: 'none'): it serves only non-personal data (health, API description, petition types, trust anchor and CRLs, the verification page).`,
        });
      }
      if (route.auth === 'agency' && httpRoute !== undefined) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is authorized by the function itself with an agency API key (routes.ts auth: 'agency', docs/agency-access.md): keys are looked up by their SHA-256 in the table, which an API Gateway authorizer would duplicate.`,
        });
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url });
    return httpApi;
  }

  /** FetchEvidence alone reads the agency credentials, each by its exact ARN. */
  private grantAgencyCredentials(fetchEvidence: NodejsFunction, agencies: Readonly<Record<string, AgencyEndpoint>>): void {
    const credentials = new Construct(this, 'AgencyCredentials');
    for (const [agencyId, agency] of Object.entries(agencies)) {
      if (agency.credentialSecretArn === undefined) continue;
      secretsmanager.Secret.fromSecretCompleteArn(credentials, agencyId.replaceAll('/', '-'), agency.credentialSecretArn).grantRead(fetchEvidence);
    }
  }

  private acknowledgeTableIndexes(fn: PetitionFunction): void {
    Validations.of(fn).acknowledge({
      id: wildcardUnder(this.table, '/index/*'),
      reason: 'Queries use the table\'s indexes (gsi1: a citizen\'s petitions, gsi2: active petitions); the grant covers this table\'s indexes only.',
    });
  }

  /** s3:GetObject under one key prefix of the document bucket, and nothing else of it. */
  private grantObjectRead(fn: PetitionFunction, prefix: string, what: string): void {
    fn.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${prefix}*`)] }));
    Validations.of(fn).acknowledge({ id: wildcardUnder(this.bucket, `/${prefix}*`), reason: `Reads ${what} under the ${prefix} prefix of the document bucket only.` });
  }

  private acknowledgeBucketReadWrite(fn: PetitionFunction): void {
    Validations.of(fn).acknowledge(
      {
        id: wildcardUnder(this.bucket, '/*'),
        reason: 'Task functions read and write evidence documents and result PDFs under any key of the document bucket (keys are generated per petition).',
      },
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${action} comes from Bucket.grantReadWrite (object versions, tagging and multipart uploads of the document bucket); scoped to that bucket only.`,
      })),
    );
  }
}

/** FetchEvidence may wait the slowest agency's full timeout plus its own work, and never less than any Task. */
export const fetchEvidenceTimeout = (agencies: Readonly<Record<string, AgencyEndpoint>>): Duration => {
  const slowestMs = Math.max(DEFAULT_AGENCY_TIMEOUT_MS, ...Object.values(agencies).map((agency) => agency.timeoutMs ?? DEFAULT_AGENCY_TIMEOUT_MS));
  return Duration.seconds(Math.max(TASK_TIMEOUT.toSeconds(), Math.ceil(slowestMs / 1000) + FETCH_EVIDENCE_MARGIN.toSeconds()));
};

/** What an API function may do with the table, from the routes it serves. */
const tableAccessOf = (routes: readonly ApiRoute[]): 'read-write' | 'read' | 'none' => {
  if (routes.some((route) => route.method !== 'GET')) return 'read-write';
  return routes.some((route) => route.auth !== 'none') ? 'read' : 'none';
};

/** Routes grouped by entry file, in the order the entries first appear. */
const groupByEntry = (routes: readonly ApiRoute[]): Map<string, ApiRoute[]> => {
  const byEntry = new Map<string, ApiRoute[]>();
  for (const route of routes) byEntry.set(route.entry, [...(byEntry.get(route.entry) ?? []), route]);
  return byEntry;
};

/** `functions/api/submit-petition.ts` → `SubmitPetition`: one construct id per entry file. */
const functionIdOf = (entry: string): string =>
  (entry.split('/').pop() ?? entry)
    .replace(/\.ts$/, '')
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
