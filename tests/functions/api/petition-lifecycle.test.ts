/**
 * A petition end to end through the real embedded platform: HTTP API → synthesized workflow in the
 * local runner → simulated agencies over HTTP → dynalite. Nothing is uploaded; documents are fetched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type PetitionBody, type TestPlatform } from '../../support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t.close();
});

const submitExample = (typeId: string, subject: string, fields: Record<string, unknown> = {}) => t.submitExample(typeId, subject, fields);

describe('a petition from submission to decision', () => {
  it('approves the README example (기초연금, 김영희) with documents fetched from three agencies', async () => {
    const { token, id } = await submitExample('basic-pension', 'demo-kim-younghee');

    await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED', 'AWAITING_REVIEW']);
    // The last step's record is written just after its status change: read once the execution has ended.
    await t.platform.runner.settled(id);
    const petition = (await (await t.getPetition(token, id)).json()) as PetitionBody;

    expect(petition.status).toBe('COMPLETED');
    expect(petition.decision?.outcome).toBe('approve');
    expect(new Set(petition.evidence.map((e) => e.agency))).toEqual(new Set(['mois', 'court', 'nts']));
    for (const e of petition.evidence) expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
    const steps = petition.timeline.filter((e) => e.kind === 'step-completed').map((e) => e.state);
    expect(steps).toEqual(['VerifyIdentity', 'FetchEvidence', 'FetchEvidence', 'FetchEvidence', 'Decide', 'RenderResult', 'SignResult', 'Complete']);
  });

  it('sends a borderline income to a case officer (AWAITING_REVIEW) with the rule that asked', async () => {
    const { token, id } = await submitExample('basic-pension', 'demo-lee-cheolsu', { accountHolder: '이철수' });

    const petition = await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED', 'AWAITING_REVIEW']);

    expect(petition.status).toBe('AWAITING_REVIEW');
    expect(petition.decision?.outcome).toBe('review');
    expect(petition.decision?.reasons.length).toBeGreaterThan(0);
  });

  it('rejects a working-age applicant for 기초연금 and says why, in Korean and English', async () => {
    const { token, id } = await submitExample('basic-pension', 'demo-park-jiwoo', { accountHolder: '박지우' });

    const petition = await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED', 'AWAITING_REVIEW']);

    expect(petition.status).toBe('REJECTED');
    expect(petition.decision?.reasons.map((r) => r.ruleId)).toContain('minimum-age');
    expect(petition.decision?.reasons[0]?.ko).toMatch(/[가-힣]/);
  });

  it('approves the 전입신고 and 소유권이전등기 examples', async () => {
    const moveIn = await submitExample('move-in-report', 'demo-park-jiwoo');
    const transfer = await submitExample('property-transfer-registration', 'demo-park-jiwoo');

    expect((await t.waitForStatus(moveIn.token, moveIn.id, ['COMPLETED', 'REJECTED', 'FAILED'])).status).toBe('COMPLETED');
    expect((await t.waitForStatus(transfer.token, transfer.id, ['COMPLETED', 'REJECTED', 'FAILED'])).status).toBe('COMPLETED');
  });

  it('rejects a property transfer when the issuing agency has no record of the parcel', async () => {
    const { token, id } = await submitExample('property-transfer-registration', 'demo-park-jiwoo', { parcelNumber: '0000000000-00000-0000' });

    const petition = await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED']);

    expect(petition.status).toBe('REJECTED');
    expect(petition.failure?.error).toBe('EvidenceNotFoundError');
  });

  it('rejects a petition whose login is weaker than the petition type requires', async () => {
    const token = await t.token('demo-park-jiwoo', 'substantial');
    const answer = await t.submit(token, t.exampleBody('property-transfer-registration'));
    const { id } = (await answer.json()) as { id: string };

    const petition = await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED']);

    expect(petition.status).toBe('REJECTED');
    expect(petition.failure?.error).toBe('IdentityMismatchError');
    expect(petition.failure?.cause).toContain("'high'");
  });

  it('keeps Korean text exactly as sent, and stores decomposed Hangul composed (NFC)', async () => {
    const token = await t.token('demo-kim-younghee');
    const body = t.exampleBody('basic-pension');
    body.fields.bankName = '한국씨티은행 종로지점';
    body.fields.accountHolder = '김영희'.normalize('NFD');

    const { id } = (await (await t.submit(token, body)).json()) as { id: string };
    const petition = (await (await t.getPetition(token, id)).json()) as { fields: Record<string, string> };

    expect(petition.fields.bankName).toBe('한국씨티은행 종로지점');
    expect(petition.fields.accountHolder).toBe('김영희'.normalize('NFC'));
  });
});

describe('who may see a petition', () => {
  it('shows a petition to its owner only: another citizen gets the same 404 as for no petition', async () => {
    const { id } = await submitExample('basic-pension', 'demo-kim-younghee');
    const stranger = await t.token('demo-choi-minsu');

    const theirs = await t.getPetition(stranger, id);
    const none = await t.getPetition(stranger, '00000000-0000-4000-8000-000000000000');

    expect(theirs.status).toBe(404);
    expect(theirs.headers.get('content-type')).toBe('application/problem+json');
    const [a, b] = [(await theirs.json()) as { type: string }, (await none.json()) as { type: string }];
    expect(a.type).toBe(b.type);
  });

  it('answers 401 to a request without a token, or with a token from another issuer', async () => {
    const { id } = await submitExample('basic-pension', 'demo-kim-younghee');
    const forged = (await t.token('demo-kim-younghee')).replace(/\.[^.]+$/, '.AAAA');

    const anonymous = await fetch(`${t.url}/v1/petitions/${id}`);
    const withForged = await t.getPetition(forged, id);

    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(withForged.status).toBe(401);
  });
});
