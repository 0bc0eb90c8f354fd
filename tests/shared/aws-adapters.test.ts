/**
 * The AWS adapters that cannot run here, against faithful mocks: Step Functions keeps one execution
 * per name (a second start is refused with ExecutionAlreadyExists), S3 returns what was put.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../shared/store/s3-object-store.ts';
import { SfnWorkflowStarter } from '../../shared/workflow/sfn-workflow-starter.ts';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const stateMachineArn = 'arn:aws:states:ap-northeast-2:123456789012:stateMachine:petition';

beforeEach(() => {
  sfn.reset();
  s3.reset();
});

describe('SfnWorkflowStarter', () => {
  /** Like Step Functions: an execution name is taken once per state machine. */
  const executions = new Map<string, StartExecutionCommandInput>();
  beforeEach(() => {
    executions.clear();
    sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
      if (executions.has(input.name!)) throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${input.name}'`, $metadata: {} });
      executions.set(input.name!, input);
      return { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date() };
    });
  });

  it('starts one execution named after the petition, with the petition id as input', async () => {
    const starter = new SfnWorkflowStarter({ client: new SFNClient({}), stateMachineArn });

    await starter.start('3c00feef-4ae1-4b42-8cbf-8d49466fb3cb');

    expect([...executions.values()]).toEqual([{ stateMachineArn, name: '3c00feef-4ae1-4b42-8cbf-8d49466fb3cb', input: '{"petitionId":"3c00feef-4ae1-4b42-8cbf-8d49466fb3cb"}' }]);
  });

  it('treats a second start of the same petition as done, not as an error', async () => {
    const starter = new SfnWorkflowStarter({ client: new SFNClient({}), stateMachineArn });

    await starter.start('p-1');
    await expect(starter.start('p-1')).resolves.toBeUndefined();

    expect(executions.size).toBe(1);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
  });

  it('lets any other failure through', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('AccessDeniedException'));
    await expect(new SfnWorkflowStarter({ client: new SFNClient({}), stateMachineArn }).start('p-2')).rejects.toThrow('AccessDeniedException');
  });
});

describe('S3ObjectStore', () => {
  it('returns exactly the bytes that were put, and undefined for a missing key', async () => {
    const objects = new Map<string, Uint8Array>();
    s3.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: Uint8Array }) => {
      objects.set(input.Key, input.Body);
      return {};
    });
    s3.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
      const body = objects.get(input.Key);
      if (!body) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
      return { Body: sdkStreamMixin(Readable.from([Buffer.from(body)])) };
    });
    const store = new S3ObjectStore({ client: new S3Client({}), bucket: 'documents' });
    const document = new TextEncoder().encode('eyJhbGciOiJFUzI1NiJ9.한글.sig');

    await store.put('evidence/p/income/abc.jws', document, 'application/jose');

    expect(await store.get('evidence/p/income/abc.jws')).toEqual(document);
    expect(await store.get('evidence/p/none.jws')).toBeUndefined();
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'documents', ContentType: 'application/jose' });
  });
});
