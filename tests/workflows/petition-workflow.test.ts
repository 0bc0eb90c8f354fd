/**
 * The one workflow definition: JSONPath only, valid ASL, and its paths exercised by running the
 * synthesized ASL in the local runner with per-state fakes (retry intervals zeroed: no wall time).
 */
import { createRequire } from 'node:module';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
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

  it('is served from the cache exactly as CDK synthesizes it', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'hanbeon-asl-'));
    const first = await loadPetitionDefinition(cacheDir); // miss: synthesizes and writes
    const second = await loadPetitionDefinition(cacheDir); // hit: reads the file
    expect(first).toEqual(definition);
    expect(second).toEqual(definition);
  });
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
    RequestReview: async () => ({ status: 'AWAITING_REVIEW' }),
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
    const review = await run({ Decide: async () => ({ outcome: 'review', reasons: [{ ruleId: 'borderline', ko: '', en: '' }] }) });
    const reject = await run({ Decide: async () => ({ outcome: 'reject', reasons: [] }) });
    expect(review.called('RequestReview')).toHaveLength(1);
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
