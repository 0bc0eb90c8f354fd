/**
 * Issuing agencies that fail, through the whole platform: the simulated agencies' fault injection
 * (HTTP 503, hanging, bad signature, malformed body) and what the citizen then sees in the timeline.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

let t: TestPlatform;
let token: string;
beforeAll(async () => {
  t = await startTestPlatform({ HANBEON_AGENCY_TIMEOUT_MS: '200' });
  token = await t.token('demo-kim-younghee');
});
afterEach(() => {
  for (const agency of t.platform.agencies.values()) agency.setFaults({});
});
afterAll(async () => {
  await t.close();
});

const submit = async () => {
  const answer = await t.submit(token, t.exampleBody('basic-pension'));
  return ((await answer.json()) as { id: string }).id;
};

describe('when an issuing agency fails', () => {
  it('retries an agency answering 503, shows the failed attempts in the timeline, then completes', async () => {
    t.platform.agencies.get('nts')!.setFaults({ mode: 'http-503', failFirst: 2 });

    const petition = await t.waitForStatus(token, await submit(), ['COMPLETED', 'FAILED', 'REJECTED']);

    expect(petition.status).toBe('COMPLETED');
    const failedAttempts = petition.timeline.filter((e) => e.kind === 'step-failed');
    expect(failedAttempts).toHaveLength(2);
    expect(failedAttempts[0]?.detail).toMatch(/^income: AgencyUnavailableError/);
  });

  it('retries an agency that hangs past the timeout, and fails with the reason when it never answers', async () => {
    t.platform.agencies.get('court')!.setFaults({ mode: 'timeout' });

    const petition = await t.waitForStatus(token, await submit(), ['COMPLETED', 'FAILED', 'REJECTED'], 30_000);

    expect(petition.status).toBe('FAILED');
    expect(petition.failure?.error).toBe('AgencyUnavailableError');
    // The first attempt and six retries (ASL MaxAttempts counts retries).
    expect(petition.timeline.filter((e) => e.kind === 'step-failed').length).toBe(7);
  });

  it('never accepts a document with a bad issuer signature', async () => {
    t.platform.agencies.get('mois')!.setFaults({ mode: 'bad-signature' });

    const petition = await t.waitForStatus(token, await submit(), ['COMPLETED', 'FAILED', 'REJECTED']);

    expect(petition.status).toBe('FAILED');
    expect(petition.failure?.error).toBe('IssuerSignatureInvalidError');
    expect(petition.evidence.map((e) => e.agency)).not.toContain('mois');
  });

  it('fails clearly on a malformed answer rather than deciding on it', async () => {
    t.platform.agencies.get('nts')!.setFaults({ mode: 'malformed' });

    const petition = await t.waitForStatus(token, await submit(), ['COMPLETED', 'FAILED', 'REJECTED']);

    expect(petition.status).toBe('FAILED');
    expect(petition.failure?.error).toBe('MalformedEvidenceError');
    expect(petition.decision).toBeUndefined();
  });
});
