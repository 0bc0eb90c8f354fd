/**
 * Case-officer review on AWS: RequestReview keeps the task token with the review record (real store,
 * dynalite), the decision API records the decision first-writer-wins and resumes the execution with
 * SendTaskSuccess. Step Functions is a faithful mock: a token completes its task once; afterwards, or
 * once its deadline passed, it is TaskTimedOut; a token it never issued is TaskDoesNotExist.
 */
import { InvalidOutput, SendTaskSuccessCommand, SFNClient, TaskDoesNotExist, TaskTimedOut, type SendTaskSuccessCommandInput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReviewDecisions } from '../../../functions/api/agency-deps.ts';
import type { Decision, Petition } from '../../../shared/petition/model.ts';
import { DynamoReviewStore } from '../../../shared/store/dynamo-review-store.ts';
import { DynamoAuditStore } from '../../../shared/store/dynamo-audit-store.ts';
import { DynamoPetitionStore } from '../../../shared/store/index.ts';
import { escalateReview, requestReview, type ReviewStepDeps } from '../../../shared/workflow/review-steps.ts';
import { SfnReviewDecisions, SfnTaskCallbacks } from '../../../shared/workflow/sfn-review-decisions.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';
import { basicPensionPetition } from '../../support/petitions.ts';

const sfn = mockClient(SFNClient);

/** Step Functions' side of callback tasks: each token is issued once and completes its task at most once. */
class FakeStepFunctions {
  readonly tasks = new Map<string, { state: 'waiting' | 'succeeded' | 'timed-out'; output?: unknown }>();

  issue(): string {
    const token = `AQCEAAAAKgAAAAMAAAAA${randomUUID().replaceAll('-', '')}`;
    this.tasks.set(token, { state: 'waiting' });
    return token;
  }

  timeOut(token: string): void {
    this.tasks.set(token, { state: 'timed-out' });
  }

  sendTaskSuccess(input: SendTaskSuccessCommandInput) {
    const task = this.tasks.get(input.taskToken!);
    if (!task) throw new TaskDoesNotExist({ message: 'Task does not exist anymore', $metadata: {} });
    if (task.state !== 'waiting') throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} });
    let output: unknown;
    try {
      output = JSON.parse(input.output ?? '');
    } catch {
      throw new InvalidOutput({ message: 'Invalid Output', $metadata: {} });
    }
    this.tasks.set(input.taskToken!, { state: 'succeeded', output });
    return {};
  }
}

const dynamo = useLocalDynamo();
let deps: ReviewStepDeps & { callbacks: SfnTaskCallbacks };
let stepFunctions: FakeStepFunctions;
let decisions: ReviewDecisions;
let now = Date.parse('2026-11-24T09:00:00Z');
const clock = () => new Date(now);

beforeAll(async () => {
  const tableName = await dynamo.table('sfn-review');
  const reviews = new DynamoReviewStore({ client: dynamo.documents(), tableName });
  const callbacks = new SfnTaskCallbacks(new SFNClient({ region: 'ap-northeast-2' }));
  deps = { store: new DynamoPetitionStore({ client: dynamo.documents(), tableName, clock }), reviews, clock, callbacks, audit: new DynamoAuditStore({ client: dynamo.documents(), tableName }) };
  decisions = new SfnReviewDecisions({ reviews, callbacks });
});
beforeEach(() => {
  sfn.reset();
  stepFunctions = new FakeStepFunctions();
  sfn.on(SendTaskSuccessCommand).callsFake((input: SendTaskSuccessCommandInput) => stepFunctions.sendTaskSuccess(input));
});

const rulesDecision: Decision = { outcome: 'review', reasons: [{ ruleId: 'income-not-reported', ko: '소득 자료가 확인되지 않았습니다.', en: 'No income was reported.' }], decidedAt: '2026-11-24T08:59:00Z' };

const decidingPetition = async (): Promise<Petition> => {
  const petition = basicPensionPetition('DECIDING', new Date(now));
  await deps.store.createPetition(petition);
  return petition;
};

const request = (petitionId: string, taskToken: string) => ({ petitionId, decision: rulesDecision, reviewDeadlineSeconds: 72 * 3600, taskToken });
const decisionBy = (petitionId: string, outcome: 'approve' | 'reject', reason: string) => ({ petitionId, outcome, reason, decidedBy: 'mois', decidedAt: new Date(now).toISOString() });
const reviewed = (outcome: 'approve' | 'reject', reason: string) => ({ outcome, reasons: [{ ruleId: 'case-officer', ko: reason, en: reason }], decidedAt: new Date(now).toISOString(), decidedBy: 'mois' });

describe('review on AWS: RequestReview with a task token, SfnReviewDecisions', () => {
  it('keeps the token with the review, then resumes the execution once with the officer’s decision', async () => {
    const petition = await decidingPetition();
    const token = stepFunctions.issue();
    await requestReview(request(petition.id, token), deps);

    const outcome = await decisions.decide(decisionBy(petition.id, 'approve', '소득 자료를 직접 확인했습니다.'));

    expect(outcome).toBe('accepted');
    expect((await deps.store.getPetition(petition.id))?.status).toBe('AWAITING_REVIEW');
    expect((await deps.reviews.get(petition.id))?.taskToken).toBe(token);
    expect(stepFunctions.tasks.get(token)).toEqual({ state: 'succeeded', output: reviewed('approve', '소득 자료를 직접 확인했습니다.') });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('refuses a second decision without touching Step Functions: the first stands', async () => {
    const petition = await decidingPetition();
    const token = stepFunctions.issue();
    await requestReview(request(petition.id, token), deps);

    const first = await decisions.decide(decisionBy(petition.id, 'reject', '반려'));
    const second = await decisions.decide(decisionBy(petition.id, 'approve', '승인'));

    expect([first, second]).toEqual(['accepted', 'already-decided']);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(stepFunctions.tasks.get(token)?.output).toMatchObject({ outcome: 'reject' });
  });

  it('answers already-decided for a petition that never waited for review', async () => {
    const petition = await decidingPetition();

    expect(await decisions.decide(decisionBy(petition.id, 'approve', '승인'))).toBe('already-decided');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('keeps a decision that arrives as the deadline passes (stale token): the next wait, after EscalateReview, resumes with it at once', async () => {
    const petition = await decidingPetition();
    const escalations: number[] = [];
    const first = stepFunctions.issue();
    await requestReview(request(petition.id, first), deps);
    stepFunctions.timeOut(first); // States.Timeout: the workflow goes to EscalateReview

    const outcome = await decisions.decide(decisionBy(petition.id, 'reject', '기한 직후 결정'));
    await escalateReview({ petitionId: petition.id }, { ...deps, onEscalation: (_id, escalation) => void escalations.push(escalation) });
    const second = stepFunctions.issue();
    await requestReview(request(petition.id, second), deps);

    expect(outcome).toBe('accepted');
    expect(escalations).toEqual([]); // decided already: nothing to escalate
    expect(stepFunctions.tasks.get(second)).toEqual({ state: 'succeeded', output: reviewed('reject', '기한 직후 결정') });
  });

  it('after an escalation, the decision goes to the new wait’s token', async () => {
    const petition = await decidingPetition();
    const escalations: number[] = [];
    const first = stepFunctions.issue();
    await requestReview(request(petition.id, first), deps);
    stepFunctions.timeOut(first);
    now += 72 * 3600 * 1000;

    await escalateReview({ petitionId: petition.id }, { ...deps, onEscalation: (_id, escalation) => void escalations.push(escalation) });
    const second = stepFunctions.issue();
    await requestReview(request(petition.id, second), deps);
    const outcome = await decisions.decide(decisionBy(petition.id, 'approve', '승인'));

    expect(outcome).toBe('accepted');
    expect(escalations).toEqual([1]);
    expect(await deps.reviews.get(petition.id)).toMatchObject({ escalations: 1, taskToken: second, deadlineAt: new Date(now + 72 * 3600 * 1000).toISOString() });
    expect(stepFunctions.tasks.get(second)?.state).toBe('succeeded');
    expect(stepFunctions.tasks.get(first)?.state).toBe('timed-out');
  });

  it('accepts a decision recorded before RequestReview kept its token; RequestReview then resumes at once', async () => {
    const petition = await decidingPetition();
    await deps.reviews.open({ petitionId: petition.id, requestedAt: new Date(now).toISOString(), waitSeconds: 3600, deadlineAt: new Date(now + 3_600_000).toISOString() });

    const outcome = await decisions.decide(decisionBy(petition.id, 'approve', '먼저 도착한 결정'));
    const token = stepFunctions.issue();
    await requestReview(request(petition.id, token), deps);

    expect(outcome).toBe('accepted');
    expect(stepFunctions.tasks.get(token)).toEqual({ state: 'succeeded', output: reviewed('approve', '먼저 도착한 결정') });
  });

  it('treats a token Step Functions no longer knows as stale, and lets any other failure through', async () => {
    const callbacks = new SfnTaskCallbacks(new SFNClient({ region: 'ap-northeast-2' }));

    expect(await callbacks.succeed('AQCEAAAAKgAAAAMAAAAAunknown', { outcome: 'approve' })).toBe('stale');
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(callbacks.succeed(stepFunctions.issue(), { outcome: 'approve' })).rejects.toThrow('Rate exceeded');
  });
});
