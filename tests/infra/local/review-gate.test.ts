/**
 * The local recorded wait for a case officer, against the real store (dynalite): a petition waits in
 * AWAITING_REVIEW until its handling agency decides; the first decision stands; a restart finds the
 * wait (and a decision taken meanwhile) in the store; a deadline passed on the injected clock ends the
 * wait with States.Timeout, and EscalateReview starts the next one.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewDecisions } from '../../../functions/api/agency-deps.ts';
import { localTaskToken } from '../../../infra/local/callback-tasks.ts';
import { createLocalReviewGate, type LocalReviewGate, type LocalReviewGateOptions } from '../../../infra/local/review-gate.ts';
import { LocalWorkflowRunner, type TaskFunction } from '../../../infra/local/workflow-runner.ts';
import { loadPetitionDefinition } from '../../../workflows/definition-cache.ts';
import type { Decision, Petition } from '../../../shared/petition/model.ts';
import { DynamoReviewStore } from '../../../shared/store/dynamo-review-store.ts';
import { DynamoAuditStore } from '../../../shared/store/dynamo-audit-store.ts';
import { DynamoPetitionStore } from '../../../shared/store/index.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';
import { basicPensionPetition } from '../../support/petitions.ts';

const dynamo = useLocalDynamo();
let store: DynamoPetitionStore;
let audit: DynamoAuditStore;
let reviews: DynamoReviewStore;
/** The injected clock: tests move it; the gate reads deadlines on it. */
let now = Date.parse('2026-11-24T09:00:00Z');
const clock = () => new Date(now);
const gates: LocalReviewGate[] = [];

beforeAll(async () => {
  const tableName = await dynamo.table('review-gate');
  store = new DynamoPetitionStore({ client: dynamo.documents(), tableName, clock });
  reviews = new DynamoReviewStore({ client: dynamo.documents(), tableName });
  audit = new DynamoAuditStore({ client: dynamo.documents(), tableName });
});
afterEach(async () => {
  await Promise.all(gates.splice(0).map((gate) => gate.close()));
});

const HOURS_120 = 120 * 3600;
const rulesDecision: Decision = {
  outcome: 'review',
  reasons: [{ ruleId: 'income-borderline', ko: '소득인정액이 선정기준액의 90%를 넘어 담당 공무원이 검토합니다.', en: 'Borderline income: a case officer reviews it.' }],
  decidedAt: '2026-11-24T08:59:00Z',
};

const gate = (options: Partial<LocalReviewGateOptions> = {}): LocalReviewGate => {
  const created = createLocalReviewGate({ store, reviews, clock, audit, checkIntervalMs: 5, ...options });
  gates.push(created);
  return created;
};

/** A basic-pension petition that the rules have just sent to review (status DECIDING). */
const decidingPetition = async (): Promise<Petition> => {
  const petition = basicPensionPetition('DECIDING', new Date(now));
  await store.createPetition(petition);
  return petition;
};

/** RequestReview's input as the local runner hands it: the LambdaInvoke Parameters. */
const invocation = (petitionId: string, reviewDeadlineSeconds = HOURS_120) => ({
  FunctionName: 'arn:aws:lambda:ap-northeast-2:000000000000:function:hanbeon-RequestReview',
  Payload: { petitionId, decision: rulesDecision, reviewDeadlineSeconds, taskToken: localTaskToken(petitionId) },
});

const decisionBy = (petitionId: string, outcome: 'approve' | 'reject', reason: string) => ({ petitionId, outcome, reason, decidedBy: 'mois', decidedAt: new Date(now).toISOString() });

/** Settles to 'pending' when the promise has not settled after the store had time to answer. */
const stateOf = async (promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> =>
  Promise.race([promise.then(() => 'resolved' as const, () => 'rejected' as const), new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 100))]);

const untilWaiting = async (waiting: LocalReviewGate, petitionId: string) => {
  for (let i = 0; i < 200; i++) {
    if ((await store.getPetition(petitionId))?.status === 'AWAITING_REVIEW' && waiting.waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`petition ${petitionId} never started waiting for review`);
};

describe('the local review gate', () => {
  it('keeps the petition waiting in AWAITING_REVIEW until the handling agency decides, then resumes with the officer’s decision', async () => {
    const petition = await decidingPetition();
    const reviewGate = gate();

    const waiting = reviewGate.requestReviewTask(invocation(petition.id));
    await untilWaiting(reviewGate, petition.id);
    const before = await stateOf(waiting);
    const outcome = await reviewGate.decisions.decide(decisionBy(petition.id, 'approve', '배우자 소득을 확인했고 선정기준액 이하입니다.'));

    expect(before).toBe('pending');
    expect(outcome).toBe('accepted');
    expect(await waiting).toEqual({
      outcome: 'approve',
      reasons: [{ ruleId: 'case-officer', ko: '배우자 소득을 확인했고 선정기준액 이하입니다.', en: '배우자 소득을 확인했고 선정기준액 이하입니다.' }],
      decidedAt: new Date(now).toISOString(),
      decidedBy: 'mois',
    });
    // While it waited, the petition carried the rules' reason for the review.
    expect(await store.getPetition(petition.id)).toMatchObject({ status: 'AWAITING_REVIEW', decision: rulesDecision });
  });

  it('is the agency API’s ReviewDecisions port: a second decision is refused and the first one stands', async () => {
    const petition = await decidingPetition();
    const decisions: ReviewDecisions = gate().decisions;
    const reviewGate = gates.at(-1)!;
    const waiting = reviewGate.requestReviewTask(invocation(petition.id));
    await untilWaiting(reviewGate, petition.id);

    const first = await decisions.decide(decisionBy(petition.id, 'reject', '소득 초과'));
    const second = await decisions.decide(decisionBy(petition.id, 'approve', '승인합니다'));

    expect([first, second]).toEqual(['accepted', 'already-decided']);
    expect(await waiting).toMatchObject({ outcome: 'reject', reasons: [{ ko: '소득 초과' }] });
    expect((await reviews.get(petition.id))?.decision).toMatchObject({ outcome: 'reject', reason: '소득 초과' });
  });

  it('lets only one of two simultaneous decisions count', async () => {
    const petition = await decidingPetition();
    const reviewGate = gate();
    const waiting = reviewGate.requestReviewTask(invocation(petition.id));
    await untilWaiting(reviewGate, petition.id);

    const outcomes = await Promise.all([
      reviewGate.decisions.decide(decisionBy(petition.id, 'approve', '승인')),
      reviewGate.decisions.decide(decisionBy(petition.id, 'reject', '반려')),
    ]);
    const decided = await waiting;

    expect(outcomes.sort()).toEqual(['accepted', 'already-decided']);
    expect((await reviews.get(petition.id))?.decision?.outcome).toBe(decided.outcome);
  });

  it('answers already-decided for a petition that never waited for review', async () => {
    const petition = await decidingPetition();

    expect(await gate().decisions.decide(decisionBy(petition.id, 'approve', '승인'))).toBe('already-decided');
    expect(await reviews.get(petition.id)).toBeUndefined();
  });

  it('survives a restart: a new gate on the same store resumes at once with the decision taken while the first was gone, without requesting review again', async () => {
    const petition = await decidingPetition();
    const first = gate();
    const abandoned = first.requestReviewTask(invocation(petition.id));
    await untilWaiting(first, petition.id);
    const opened = await reviews.get(petition.id);

    await first.close(); // the platform stops: the wait is abandoned, nothing is lost
    await expect(abandoned).rejects.toMatchObject({ name: 'ReviewWaitAbandonedError' });
    await reviews.recordDecision(petition.id, { outcome: 'approve', reason: '재시작 중 결정', decidedBy: 'mois', decidedAt: new Date(now).toISOString() });
    now += 60_000;
    const second = gate();
    const resumed = await second.requestReviewTask(invocation(petition.id));

    expect(resumed).toMatchObject({ outcome: 'approve', reasons: [{ ko: '재시작 중 결정' }] });
    expect(await reviews.get(petition.id)).toMatchObject({ requestedAt: opened?.requestedAt, deadlineAt: opened?.deadlineAt });
    expect((await store.getTimeline(petition.id)).filter((entry) => entry.state === 'RequestReview' && entry.kind === 'step-completed')).toHaveLength(1);
  });

  it('after a restart without a decision, waits again until the deadline recorded before, not a new one', async () => {
    const petition = await decidingPetition();
    const first = gate();
    const abandoned = first.requestReviewTask(invocation(petition.id, 3600));
    await untilWaiting(first, petition.id);
    await first.close();
    await abandoned.catch(() => undefined);

    now += 3000 * 1000; // 50 minutes of a one-hour deadline pass while the platform is down
    const second = gate();
    const waiting = second.requestReviewTask(invocation(petition.id, 3600));
    await untilWaiting(second, petition.id);
    const beforeDeadline = await stateOf(waiting);
    now += 601 * 1000;

    expect(beforeDeadline).toBe('pending');
    await expect(waiting).rejects.toMatchObject({ name: 'States.Timeout', message: expect.stringMatching(/was due by .* no decision was recorded/) });
  });

  it('notices a decision recorded by another process at its next check', async () => {
    const petition = await decidingPetition();
    const reviewGate = gate();
    const waiting = reviewGate.requestReviewTask(invocation(petition.id));
    await untilWaiting(reviewGate, petition.id);

    await reviews.recordDecision(petition.id, { outcome: 'reject', reason: '다른 프로세스', decidedBy: 'mois', decidedAt: new Date(now).toISOString() });

    expect(await waiting).toMatchObject({ outcome: 'reject', decidedBy: 'mois' });
  });

  it('ends the wait with States.Timeout once the deadline passes on the injected clock; EscalateReview then starts a new wait of the same length', async () => {
    const petition = await decidingPetition();
    const escalations: [string, number][] = [];
    const reviewGate = gate({ onEscalation: (petitionId, escalation) => void escalations.push([petitionId, escalation]) });
    const waiting = reviewGate.requestReviewTask(invocation(petition.id));
    await untilWaiting(reviewGate, petition.id);

    now += HOURS_120 * 1000; // exactly at the deadline: it has passed
    await expect(waiting).rejects.toMatchObject({ name: 'States.Timeout' });
    await reviewGate.escalateReviewTask({ petitionId: petition.id });
    const again = reviewGate.requestReviewTask(invocation(petition.id));
    await untilWaiting(reviewGate, petition.id);
    const stillWaiting = await stateOf(again);
    await reviewGate.decisions.decide(decisionBy(petition.id, 'approve', '기한 후 승인'));

    expect(stillWaiting).toBe('pending');
    expect(await again).toMatchObject({ outcome: 'approve' });
    expect(escalations).toEqual([[petition.id, 1]]);
    expect(await reviews.get(petition.id)).toMatchObject({ escalations: 1, deadlineAt: new Date(now + HOURS_120 * 1000).toISOString() });
    expect(await store.getTimeline(petition.id)).toContainEqual(expect.objectContaining({ state: 'EscalateReview', kind: 'step-completed', detail: expect.stringMatching(/^review deadline passed, escalation 1/) }));
  });

  it('does not escalate a review that was decided as its deadline passed: the next wait ends at once', async () => {
    const petition = await decidingPetition();
    const escalations: number[] = [];
    const reviewGate = gate({ onEscalation: (_id, escalation) => void escalations.push(escalation) });
    const waiting = reviewGate.requestReviewTask(invocation(petition.id, 60));
    await untilWaiting(reviewGate, petition.id);
    now += 60_000;
    await expect(waiting).rejects.toMatchObject({ name: 'States.Timeout' });

    await reviewGate.decisions.decide(decisionBy(petition.id, 'reject', '기한 직후 결정'));
    await reviewGate.escalateReviewTask({ petitionId: petition.id });

    expect(escalations).toEqual([]);
    expect(await reviewGate.requestReviewTask(invocation(petition.id, 60))).toMatchObject({ outcome: 'reject' });
  });

  it('shortens every wait by deadlineScale (for demos and tests), on the first wait and after an escalation', async () => {
    const petition = await decidingPetition();
    const reviewGate = gate({ deadlineScale: 1 / 3600 });
    const waiting = reviewGate.requestReviewTask(invocation(petition.id));
    await untilWaiting(reviewGate, petition.id);
    const opened = await reviews.get(petition.id);
    now += 120_000;
    await expect(waiting).rejects.toMatchObject({ name: 'States.Timeout' });
    await reviewGate.escalateReviewTask({ petitionId: petition.id });

    expect(Date.parse(opened!.deadlineAt) - Date.parse(opened!.requestedAt)).toBe(120_000);
    expect(Date.parse((await reviews.get(petition.id))!.deadlineAt)).toBe(now + 120_000);
  });

  it('refuses a wait once closed, and a deadlineScale that is not positive', async () => {
    const petition = await decidingPetition();
    const reviewGate = gate();
    await reviewGate.close();

    await expect(reviewGate.requestReviewTask(invocation(petition.id))).rejects.toMatchObject({ name: 'ReviewWaitAbandonedError' });
    expect(() => createLocalReviewGate({ store, reviews, clock, audit, deadlineScale: 0 })).toThrow('deadlineScale is 0; expected a positive number');
    expect((await store.getPetition(petition.id))?.status).toBe('DECIDING');
  });
});

describe('the local review gate in the local runner (the real definition, other steps faked)', () => {
  /** The runner with the gate's two Tasks and fakes for the rest; records which Tasks ran with what. */
  const runnerWith = async (reviewGate: LocalReviewGate, calls: { state: string; input: Record<string, unknown> }[]) => {
    const fake = (state: string, result: (input: Record<string, unknown>) => unknown): TaskFunction =>
      (async (input: Record<string, unknown>) => {
        calls.push({ state, input });
        return result(input);
      }) as TaskFunction;
    const tasks: Record<string, TaskFunction> = {
      VerifyIdentity: fake('VerifyIdentity', () => ({ evidenceIds: [], requiresApplicantSeal: false, reviewDeadlineSeconds: 60 })),
      Decide: fake('Decide', () => rulesDecision),
      RequestReview: fake('RequestReview', (input) => reviewGate.requestReviewTask(input as never)),
      EscalateReview: fake('EscalateReview', (input) => reviewGate.escalateReviewTask(input as never)),
      RenderResult: fake('RenderResult', () => ({ document: 'result', objectKey: 'k', sha256: 'ab', signingTime: '2026-11-24T00:00:00Z' })),
      SignResult: fake('SignResult', () => ({ document: 'result', objectKey: 's', sha256: 'cd' })),
      Complete: fake('Complete', () => ({ status: 'COMPLETED' })),
      Reject: fake('Reject', () => ({ status: 'REJECTED' })),
      RecordFailure: fake('RecordFailure', () => ({ status: 'FAILED' })),
    };
    return new LocalWorkflowRunner({ definition: await loadPetitionDefinition(), tasks, retryIntervalMs: 0 });
  };

  it('waits, escalates when the deadline passes on the clock, waits again, then completes with the officer’s decision', async () => {
    const petition = await decidingPetition();
    const calls: { state: string; input: Record<string, unknown> }[] = [];
    const reviewGate = gate();
    const runner = await runnerWith(reviewGate, calls);

    await runner.start(petition.id);
    await untilWaiting(reviewGate, petition.id);
    now += 60_000;
    for (let i = 0; i < 200 && !calls.some((c) => c.state === 'EscalateReview'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await untilWaiting(reviewGate, petition.id);
    await reviewGate.decisions.decide(decisionBy(petition.id, 'approve', '검토 후 승인'));
    await runner.settled(petition.id);

    expect(calls.map((c) => c.state)).toEqual(['VerifyIdentity', 'Decide', 'RequestReview', 'EscalateReview', 'RequestReview', 'RenderResult', 'SignResult', 'Complete']);
    expect(calls.at(-1)?.input.decision).toMatchObject({ outcome: 'approve', reasons: [{ ruleId: 'case-officer', ko: '검토 후 승인' }], decidedBy: 'mois' });
    expect(await reviews.get(petition.id)).toMatchObject({ escalations: 1 });
  });

  it('stops cleanly while a petition waits (runner aborts, then the gate ends the wait), and the next start resumes the wait', async () => {
    const petition = await decidingPetition();
    const calls: { state: string; input: Record<string, unknown> }[] = [];
    const firstGate = gate();
    const first = await runnerWith(firstGate, calls);
    await first.start(petition.id);
    await untilWaiting(firstGate, petition.id);

    const stopping = first.close(); // aborts every execution at once, then drains running Tasks
    await firstGate.close(); // ends the review wait, so the drain finishes
    await stopping;
    const secondGate = gate();
    const second = await runnerWith(secondGate, calls);
    await second.start(petition.id);
    await untilWaiting(secondGate, petition.id);
    await secondGate.decisions.decide(decisionBy(petition.id, 'reject', '재시작 후 반려'));
    await second.settled(petition.id);

    expect(calls.filter((c) => c.state === 'RecordFailure')).toEqual([]);
    expect(calls.filter((c) => c.state === 'RequestReview')).toHaveLength(2);
    expect(calls.at(-1)).toMatchObject({ state: 'Reject', input: { decision: { outcome: 'reject', reasons: [{ ko: '재시작 후 반려' }] } } });
  });
});
