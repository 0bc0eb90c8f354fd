/**
 * The one workflow definition: JSONPath only, valid ASL, and its paths exercised by running the
 * synthesized ASL in the local runner with per-state fakes (retry intervals zeroed: no wall time).
 */
import { createRequire } from 'node:module';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ReviewDeadlinePassedError } from '../../infra/local/review-gate.ts';
import { LOCAL_CALLBACK_TIMEOUT_SECONDS, localTaskToken, withLocalCallbackTimeouts } from '../../infra/local/callback-tasks.ts';
import { LocalWorkflowRunner, type TaskFunction } from '../../infra/local/workflow-runner.ts';
import { AgencyUnavailableError, EvidenceNotFoundError, IssuerSignatureInvalidError } from '../../shared/errors.ts';
import { loadPetitionDefinition } from '../../workflows/definition-cache.ts';
import { TASK_STATES } from '../../workflows/petition-workflow.ts';
import { synthesizePetitionDefinition, type AslDefinition } from '../../workflows/synthesize.ts';

const validateAsl = createRequire(import.meta.url)('asl-validator') as (definition: unknown, options?: unknown) => { isValid: boolean; errors: unknown[] };

let definition: AslDefinition;
beforeAll(() => {
  definition = synthesizePetitionDefinition();
});

/** Every key anywhere in the definition, with its path. */
const keysOf = (value: unknown, path = '$'): string[] =>
  value !== null && typeof value === 'object'
    ? Object.entries(value).flatMap(([key, child]) => [`${path}.${key}`, ...keysOf(child, `${path}.${key}`)])
    : [];

describe('the petition workflow definition', () => {
  it('uses JSONPath only: no JSONata query language and no Assign, which the local runner would ignore', () => {
    const keys = keysOf(definition);
    expect(keys.filter((k) => /\.(QueryLanguage|Assign|Arguments|Output)$/.test(k))).toEqual([]);
    expect(JSON.stringify(definition)).not.toMatch(/\{%/);
  });

  it('is valid ASL according to asl-validator', () => {
    const result = validateAsl(structuredClone(definition), { checkPaths: true, checkArn: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('has one Task state per workflow function, and no other Tasks', () => {
    const tasks = keysOf(definition).filter((k) => k.endsWith('.Type')).map((k) => k.split('.').at(-2));
    const taskNames = Object.entries({ ...definition.States, ...((definition.States.RetrieveEvidence?.ItemProcessor as AslDefinition).States) })
      .filter(([, state]) => state.Type === 'Task')
      .map(([name]) => name);
    expect(tasks.length).toBeGreaterThan(0);
    expect(taskNames.sort()).toEqual([...TASK_STATES].sort());
  });

  it('retries only AgencyUnavailableError with backoff and jitter when fetching evidence', () => {
    const fetch = (definition.States.RetrieveEvidence?.ItemProcessor as AslDefinition).States.FetchEvidence!;
    const retries = fetch.Retry as { ErrorEquals: string[]; BackoffRate?: number; JitterStrategy?: string }[];
    const ours = retries.filter((r) => !r.ErrorEquals.some((e) => e.startsWith('Lambda.')));
    expect(ours).toEqual([expect.objectContaining({ ErrorEquals: ['AgencyUnavailableError'], BackoffRate: 2, JitterStrategy: 'FULL' })]);
  });

  it('pauses RequestReview on a task token, with the type’s deadline from $.verification, escalating on States.Timeout without marking an error', () => {
    const request = definition.States.RequestReview!;
    expect(request.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect((request.Parameters as { Payload: Record<string, string> }).Payload).toEqual({
      'petitionId.$': '$.petitionId',
      'decision.$': '$.decision',
      'reviewDeadlineSeconds.$': '$.verification.reviewDeadlineSeconds',
      'taskToken.$': '$$.Task.Token',
    });
    expect(request).toMatchObject({ TimeoutSecondsPath: '$.verification.reviewDeadlineSeconds', ResultPath: '$.decision', Next: 'RouteReview' });
    expect((request.Catch as unknown[])[0]).toEqual({ ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'EscalateReview' });
    expect(definition.States.EscalateReview).toMatchObject({ Next: 'RequestReview', ResultPath: null });
  });

  it('locally leaves a callback Task’s deadline to the Task function, and changes nothing else', () => {
    const local = withLocalCallbackTimeouts(definition);
    const { TimeoutSecondsPath: _path, ...deployedRequest } = definition.States.RequestReview!;

    expect(local.States.RequestReview).toEqual({ ...deployedRequest, TimeoutSeconds: LOCAL_CALLBACK_TIMEOUT_SECONDS });
    expect({ ...local, States: { ...local.States, RequestReview: undefined } }).toEqual({ ...definition, States: { ...definition.States, RequestReview: undefined } });
  });

  it('is served from the cache exactly as CDK synthesizes it', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'hanbeon-asl-'));
    const first = await loadPetitionDefinition(cacheDir); // miss: synthesizes and writes
    const second = await loadPetitionDefinition(cacheDir); // hit: reads the file
    expect(first).toEqual(definition);
    expect(second).toEqual(definition);
  });
});

/** What the local review gate (or SendTaskSuccess on AWS) hands back when the case officer decides. */
const officerDecision = (outcome: 'approve' | 'reject', reason: string) => ({
  outcome,
  reasons: [{ ruleId: 'case-officer', ko: reason, en: reason }],
  decidedAt: '2026-11-25T09:00:00Z',
  decidedBy: 'mois',
});

type Fakes = Partial<Record<(typeof TASK_STATES)[number], (input: Record<string, unknown>) => Promise<unknown>>>;

/** Runs one petition through the real definition with fake Tasks; records every Task call. */
async function run(fakes: Fakes) {
  const calls: { state: string; input: Record<string, unknown> }[] = [];
  const defaults: Required<Fakes> = {
    VerifyIdentity: async () => ({ evidenceIds: ['residentRecord', 'familyRelations', 'income'] }),
    FetchEvidence: async (input) => ({ evidenceId: input.evidenceId, sha256: 'ab'.repeat(32) }),
    Decide: async () => ({ outcome: 'approve', reasons: [], decidedAt: '2026-11-24T00:00:00Z' }),
    IssueSeal: async () => ({ serialNumber: '01', sha256: 'cd'.repeat(32) }),
    RenderResult: async (input) => ({ document: input.error === undefined && (input.decision as { outcome?: string } | undefined)?.outcome === 'approve' ? 'result' : 'rejection-notice', objectKey: 'k', sha256: 'ef'.repeat(32), signingTime: '2026-11-24T00:00:00Z' }),
    SignResult: async (input) => ({ document: (input.rendered as { document: string }).document, objectKey: 's', sha256: '12'.repeat(32) }),
    Complete: async () => ({ status: 'COMPLETED' }),
    Reject: async () => ({ status: 'REJECTED' }),
    RequestReview: async () => officerDecision('approve', '소득 자료를 확인했습니다.'),
    EscalateReview: async () => ({ escalations: 1, deadlineAt: '2026-11-29T00:00:00Z' }),
    RecordFailure: async () => ({ status: 'FAILED' }),
  };
  const tasks = Object.fromEntries(
    TASK_STATES.map((state) => [
      state,
      (async (input: Record<string, unknown>) => {
        calls.push({ state, input });
        return (fakes[state] ?? defaults[state])(input);
      }) as TaskFunction,
    ]),
  );
  const runnerErrors: string[] = [];
  const logger = { info: () => undefined, error: (message: string) => void runnerErrors.push(message) };
  const runner = new LocalWorkflowRunner({ definition, tasks, retryIntervalMs: 0, logger });
  await runner.start('petition-1');
  await runner.settled('petition-1');
  const called = (state: string) => calls.filter((c) => c.state === state);
  return { calls, called, runnerErrors };
}

describe('the petition workflow, run locally with fake steps', () => {
  it('happy path: verifies, fetches each document once, decides, renders and signs the result, completes', async () => {
    const { calls, called } = await run({});
    expect(calls.map((c) => c.state).filter((s) => s !== 'FetchEvidence')).toEqual(['VerifyIdentity', 'Decide', 'RenderResult', 'SignResult', 'Complete']);
    expect(called('FetchEvidence').map((c) => c.input.evidenceId).sort()).toEqual(['familyRelations', 'income', 'residentRecord']);
    expect(called('Decide')[0]?.input.evidence).toHaveLength(3);
  });

  it('evidence not found: the petition is rejected with the reason, nothing is decided', async () => {
    const { called } = await run({
      FetchEvidence: async (input) => {
        if (input.evidenceId === 'income') throw new EvidenceNotFoundError('nts has no income record for this subject');
        return { evidenceId: input.evidenceId, sha256: 'x' };
      },
    });
    expect(called('Decide')).toHaveLength(0);
    expect(called('Reject')[0]?.input.error).toEqual({ Error: 'EvidenceNotFoundError', Cause: 'nts has no income record for this subject' });
    // The rejection is a signed notice too, rendered with the reason.
    expect(called('RenderResult')[0]?.input.error).toMatchObject({ Error: 'EvidenceNotFoundError' });
    expect(called('SignResult')).toHaveLength(1);
  });

  it('a type that asks for the applicant seal issues it after an approval, before the result is rendered', async () => {
    const { calls } = await run({ VerifyIdentity: async () => ({ evidenceIds: ['landRecord'], requiresApplicantSeal: true }) });
    expect(calls.map((c) => c.state).filter((s) => s !== 'FetchEvidence')).toEqual(['VerifyIdentity', 'Decide', 'IssueSeal', 'RenderResult', 'SignResult', 'Complete']);
  });

  it('no applicant seal for a rejection, even when the type asks for one', async () => {
    const { called } = await run({
      VerifyIdentity: async () => ({ evidenceIds: ['landRecord'], requiresApplicantSeal: true }),
      Decide: async () => ({ outcome: 'reject', reasons: [{ ruleId: 'tax-arrears', ko: '체납', en: 'arrears' }] }),
    });
    expect(called('IssueSeal')).toHaveLength(0);
    expect(called('Reject')).toHaveLength(1);
  });

  it('a seal found revoked when signing rejects the petition with a signed notice, without looping', async () => {
    const { calls, called } = await run({
      VerifyIdentity: async () => ({ evidenceIds: ['landRecord'], requiresApplicantSeal: true }),
      SignResult: async (input) => {
        const rendered = input.rendered as { document: string };
        if (rendered.document === 'result') {
          const error = new Error('the applicant seal 01 was revoked at 2026-11-24T00:00:00Z');
          error.name = 'ApplicantSealUnusableError';
          throw error;
        }
        return { document: rendered.document, objectKey: 's', sha256: '12'.repeat(32) };
      },
    });
    expect(calls.map((c) => c.state).filter((s) => s !== 'FetchEvidence')).toEqual(['VerifyIdentity', 'Decide', 'IssueSeal', 'RenderResult', 'SignResult', 'RenderResult', 'SignResult', 'Reject']);
    expect(called('Complete')).toHaveLength(0);
    expect(called('Reject')[0]?.input.error).toMatchObject({ Error: 'ApplicantSealUnusableError' });
  });

  it('agency unavailable: the document is retried, then the petition completes', async () => {
    let incomeAttempts = 0;
    const { called } = await run({
      FetchEvidence: async (input) => {
        if (input.evidenceId === 'income' && ++incomeAttempts <= 3) throw new AgencyUnavailableError('nts answered 503');
        return { evidenceId: input.evidenceId, sha256: 'x' };
      },
    });
    expect(incomeAttempts).toBe(4);
    expect(called('Complete')).toHaveLength(1);
    expect(called('RecordFailure')).toHaveLength(0);
  });

  it('agency unavailable for good: after the last attempt the failure is recorded', async () => {
    let attempts = 0;
    const { called } = await run({
      FetchEvidence: async (input) => {
        if (input.evidenceId !== 'income') return { evidenceId: input.evidenceId, sha256: 'x' };
        attempts++;
        throw new AgencyUnavailableError('nts refused the connection');
      },
    });
    expect(attempts).toBe(7); // first attempt + MaxAttempts (6) retries
    expect(called('RecordFailure')[0]?.input.error).toMatchObject({ Error: 'AgencyUnavailableError' });
  });

  it('a bad issuer signature is not retried: the failure is recorded at once', async () => {
    let attempts = 0;
    const { called } = await run({
      FetchEvidence: async () => {
        attempts++;
        throw new IssuerSignatureInvalidError('signature does not verify with the keys mois published');
      },
    });
    expect(attempts).toBe(3); // one per document, none retried
    expect(called('RecordFailure')[0]?.input.error).toMatchObject({ Error: 'IssuerSignatureInvalidError' });
  });

  it('routes a review outcome to RequestReview and a reject outcome to Reject', async () => {
    const review = await run({ VerifyIdentity: verifiedForReview(), Decide: async () => reviewOutcome });
    const reject = await run({ Decide: async () => ({ outcome: 'reject', reasons: [] }) });
    expect(review.called('RequestReview')).toHaveLength(1);
    expect(reject.called('RequestReview')).toHaveLength(0);
    expect(reject.called('Reject')[0]?.input.decision).toMatchObject({ outcome: 'reject' });
  });

  it('an unexpected error in any step ends in RecordFailure, never silently', async () => {
    const { called, runnerErrors } = await run({
      Decide: async () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    expect(called('RecordFailure')[0]?.input.error).toMatchObject({ Error: 'TypeError' });
    expect(called('RenderResult')).toHaveLength(0);
    // Ending in the Fail state after RecordFailure is the designed path, not a runner fault.
    expect(runnerErrors).toEqual([]);
  });

  it('reports a failure outside the failure path (recording the failure itself failed) instead of swallowing it', async () => {
    const { runnerErrors } = await run({
      Decide: async () => {
        throw new TypeError('boom');
      },
      RecordFailure: async () => {
        throw new Error('store unavailable while recording the failure');
      },
    });
    expect(runnerErrors).toEqual(['workflow execution failed outside the failure path; the petition is replayed at the next start']);
  });
});

const reviewOutcome = { outcome: 'review', reasons: [{ ruleId: 'income-borderline', ko: '담당 공무원이 검토합니다.', en: 'A case officer reviews it.' }], decidedAt: '2026-11-24T00:00:00Z' };
/** VerifyIdentity of a type with a review section: the wait's length travels in $.verification. */
const verifiedForReview = (reviewDeadlineSeconds = 432_000, requiresApplicantSeal = false) => async () => ({ evidenceIds: ['income'], requiresApplicantSeal, reviewDeadlineSeconds });
/** The Payload the RequestReview Task receives (the runner hands Tasks the LambdaInvoke Parameters). */
const payloadOf = (call: { input: Record<string, unknown> } | undefined) => call?.input.Payload as Record<string, unknown> | undefined;
const sequence = (calls: { state: string }[]) => calls.map((c) => c.state).filter((s) => s !== 'FetchEvidence');

describe('case-officer review, run locally with fake steps', () => {
  it('pauses on RequestReview with the rules’ decision, the wait and a task token', async () => {
    const { called } = await run({ VerifyIdentity: verifiedForReview(), Decide: async () => reviewOutcome });

    expect(called('RequestReview')[0]?.input).toEqual({
      FunctionName: expect.stringMatching(/:function:hanbeon-RequestReview$/),
      Payload: { petitionId: 'petition-1', decision: reviewOutcome, reviewDeadlineSeconds: 432_000, taskToken: localTaskToken('petition-1') },
    });
  });

  it('review → approve: the officer’s decision replaces the rules’ one, the applicant seal is issued, the result signed, the petition completed', async () => {
    const approval = officerDecision('approve', '소득 자료를 확인했습니다.');
    const { calls, called } = await run({ VerifyIdentity: verifiedForReview(432_000, true), Decide: async () => reviewOutcome, RequestReview: async () => approval });

    expect(sequence(calls)).toEqual(['VerifyIdentity', 'Decide', 'RequestReview', 'IssueSeal', 'RenderResult', 'SignResult', 'Complete']);
    expect(called('RenderResult')[0]?.input.decision).toEqual(approval);
    expect(called('SignResult')[0]?.input.rendered).toMatchObject({ document: 'result' });
    expect(called('Complete')[0]?.input.decision).toEqual(approval);
  });

  it('review → reject: a rejection notice with the officer’s reason is signed and the petition rejected, with no seal', async () => {
    const rejection = officerDecision('reject', '배우자 소득이 확인되어 선정기준액을 넘습니다.');
    const { calls, called } = await run({ VerifyIdentity: verifiedForReview(432_000, true), Decide: async () => reviewOutcome, RequestReview: async () => rejection });

    expect(sequence(calls)).toEqual(['VerifyIdentity', 'Decide', 'RequestReview', 'RenderResult', 'SignResult', 'Reject']);
    expect(called('RenderResult')[0]?.input).toMatchObject({ decision: rejection });
    expect(called('RenderResult')[0]?.input.error).toBeUndefined();
    expect(called('SignResult')[0]?.input.rendered).toMatchObject({ document: 'rejection-notice' });
    expect(called('Reject')[0]?.input.decision).toEqual(rejection);
  });

  it('review deadline passed (the local wait’s States.Timeout): EscalateReview, then RequestReview waits again, then the decision counts', async () => {
    let requests = 0;
    const approval = officerDecision('approve', '확인 완료');
    const { calls, called } = await run({
      VerifyIdentity: verifiedForReview(),
      Decide: async () => reviewOutcome,
      RequestReview: async () => {
        if (++requests === 1) throw new ReviewDeadlinePassedError('the review of petition-1 was due by 2026-11-29T00:00:00Z');
        return approval;
      },
    });

    expect(sequence(calls)).toEqual(['VerifyIdentity', 'Decide', 'RequestReview', 'EscalateReview', 'RequestReview', 'RenderResult', 'SignResult', 'Complete']);
    // The timeout is not an error of the petition: nothing downstream sees $.error.
    expect(called('EscalateReview')[0]?.input.error).toBeUndefined();
    expect(payloadOf(called('RequestReview')[1])?.decision).toEqual(reviewOutcome);
    expect(called('Complete')[0]?.input).toMatchObject({ decision: approval });
    expect(called('RecordFailure')).toHaveLength(0);
  });

  it('a review outlasts the local runner’s 60 s default task timeout: locally the wait alone decides when the deadline passed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let decide: (decision: unknown) => void = () => undefined;
      const rejection = officerDecision('reject', '기한 내 반려');
      const running = run({ VerifyIdentity: verifiedForReview(1), Decide: async () => reviewOutcome, RequestReview: () => new Promise((resolve) => (decide = resolve)) });

      await vi.advanceTimersByTimeAsync(3_600_000); // an hour: past the 1 s in $.verification and the library's 60 s default
      decide(rejection);
      const { calls } = await running;

      expect(sequence(calls)).toEqual(['VerifyIdentity', 'Decide', 'RequestReview', 'RenderResult', 'SignResult', 'Reject']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failure while escalating is recorded, not retried in a loop', async () => {
    const { calls, called } = await run({
      VerifyIdentity: verifiedForReview(),
      Decide: async () => reviewOutcome,
      RequestReview: async () => {
        throw new ReviewDeadlinePassedError('due');
      },
      EscalateReview: async () => {
        throw new Error('store unavailable');
      },
    });

    expect(sequence(calls)).toEqual(['VerifyIdentity', 'Decide', 'RequestReview', 'EscalateReview', 'RecordFailure']);
    expect(called('RecordFailure')[0]?.input.error).toMatchObject({ Error: 'Error', Cause: 'store unavailable' });
  });
});
