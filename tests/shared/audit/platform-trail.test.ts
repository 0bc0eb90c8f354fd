/**
 * The audit trail of a real petition run on the embedded platform: every status change, evidence
 * retrieval (with its consent), decision, signature, webhook delivery and agency read ends up in
 * the chain, in order, sealed by a checkpoint that verifies against the published root — and no
 * record carries the applicant's personal data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReference, verifyAuditExport, type ChainedRecord } from '../../../shared/audit/index.ts';
import { fromPem } from '../../../shared/seal/der.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';
import { until } from '../../support/until.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';
import { exportText } from './audit-fixtures.ts';

let t: TestPlatform;
let receiver: WebhookReceiver;

beforeAll(async () => {
  // Every chainer run that added records seals a checkpoint: the test need not wait T seconds.
  t = await startTestPlatform({ HANBEON_AUDIT_CHECKPOINT_SECONDS: '0', HANBEON_AUDIT_CHAIN_INTERVAL_MS: '100' });
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

const agencyKey = async (agency: string): Promise<string> => {
  const answer = await fetch(`${t.url}/dev/agencies/${agency}/api-keys`, { method: 'POST' });
  if (!answer.ok) throw new Error(`agency key for ${agency}: ${answer.status} ${await answer.text()}`);
  return ((await answer.json()) as { key: string }).key;
};

const idsOf = (records: ChainedRecord[]) => records.map((r) => r.record.id);

describe('the audit trail of a petition run', () => {
  it('holds every step of an approved petition in chain order, sealed by a checkpoint the root verifies', async () => {
    const mois = await agencyKey('mois');
    const registered = await fetch(`${t.url}/v1/agency/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mois}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, eventTypes: ['petition.completed'] }),
    });
    receiver.useSecret(((await registered.json()) as { secret: string }).secret);
    const { token, id } = await t.submitExample('basic-pension', 'demo-kim-younghee');
    await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED', 'AWAITING_REVIEW']);
    await until('the delivery', () => receiver.received.find((r) => r.body.includes(id)));
    await t.platform.deliveryLoop.idle();
    expect((await fetch(`${t.url}/v1/agency/petitions/${id}`, { headers: { authorization: `Bearer ${mois}` } })).status).toBe(200);

    await t.platform.auditLoop.flush();
    const text = await exportText(t.platform.audit);
    const verdict = await verifyAuditExport(text, fromPem(await t.platform.pki.rootCertificatePem(), 'CERTIFICATE'));
    const records = text.split('\n').filter((l) => l.startsWith('{"type":"record"')).map((l) => JSON.parse(l) as ChainedRecord);
    const mine = records.filter((r) => JSON.stringify(r.record).includes(id));

    expect(verdict.problems).toEqual([]);
    expect(verdict).toMatchObject({ intact: true, unsealed: 0 });
    expect(verdict.sealedThrough).toBe(records.length);
    expect(verdict.checkpoints.at(-1)).toMatchObject({ ok: true, signedBy: 'hanbeon 플랫폼 직인' });
    // Evidence is fetched concurrently: its three records may come in any order among themselves.
    const evidence = mine.filter((r) => r.record.kind === 'evidence');
    const ids = idsOf(mine).map((recordId) => (recordId.startsWith('evidence:') ? 'evidence' : recordId.replace(/^(access|delivery):.*$/, '$1')));
    expect(ids).toEqual([
      `status:${id}:RECEIVED`,
      `status:${id}:VERIFYING_IDENTITY`,
      `status:${id}:RETRIEVING_EVIDENCE`,
      'evidence',
      'evidence',
      'evidence',
      `status:${id}:DECIDING`,
      `decision:${id}:rules`,
      `status:${id}:SEALING`,
      `signature:${id}:result`,
      `status:${id}:COMPLETED`,
      'delivery',
      'access',
    ]);
    const petition = await t.platform.store.getPetition(id);
    expect(evidence.map((r) => r.record).map((e) => ('agency' in e ? e.agency : '')).sort()).toEqual(['court', 'mois', 'nts']);
    for (const record of evidence) expect(record.record).toMatchObject({ consent: consentReference(petition!.consent) });
    expect(mine.find((r) => r.record.kind === 'delivery')?.record).toMatchObject({ outcome: 'delivered', agency: 'mois', petitionId: id });
    // Its own chain links its records 1, 2, 3 … whatever else was chained in between.
    expect(mine.map((r) => r.petitionSeq)).toEqual(mine.map((_, i) => i + 1));
    // Ids, statuses, agencies, digests only: nothing the citizen wrote or is.
    const recordText = JSON.stringify(records);
    for (const value of [petition!.identity.name, petition!.identity.birthDate, petition!.subject, ...Object.values(petition!.fields).map(String).filter((v) => v.length > 3)]) {
      expect(recordText).not.toContain(value);
    }
  });

  it("records a case officer's decision, the applicant seal and a rejection notice", async () => {
    const mois = await agencyKey('mois');
    const reviewed = await t.submitExample('basic-pension', 'demo-lee-cheolsu');
    const sealed = await t.submitExample('property-transfer-registration', 'demo-park-jiwoo');
    const rejected = await t.submitExample('basic-pension', 'demo-park-jiwoo');
    await t.waitForStatus(reviewed.token, reviewed.id, ['AWAITING_REVIEW']);
    const decided = await fetch(`${t.url}/v1/agency/petitions/${reviewed.id}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mois}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', reason: '소득 증빙 확인' }),
    });
    expect(decided.status).toBe(202);
    await t.waitForStatus(reviewed.token, reviewed.id, ['COMPLETED']);
    await t.waitForStatus(sealed.token, sealed.id, ['COMPLETED']);
    await t.waitForStatus(rejected.token, rejected.id, ['REJECTED']);

    await t.platform.auditLoop.flush();
    const text = await exportText(t.platform.audit);
    const verdict = await verifyAuditExport(text, fromPem(await t.platform.pki.rootCertificatePem(), 'CERTIFICATE'));
    const records = text.split('\n').filter((l) => l.startsWith('{"type":"record"')).map((l) => JSON.parse(l) as ChainedRecord);
    const byId = new Map(records.map((r) => [r.record.id, r.record]));

    expect(verdict.problems).toEqual([]);
    expect(byId.get(`decision:${reviewed.id}:case-officer`)).toMatchObject({ kind: 'decision', outcome: 'approve', decidedBy: 'agency:mois' });
    expect(byId.has(`decision:${reviewed.id}:rules`)).toBe(true);
    expect(byId.get(`signature:${sealed.id}:applicant-seal`)).toMatchObject({ kind: 'signature' });
    expect(byId.has(`signature:${sealed.id}:result`)).toBe(true);
    expect(byId.has(`signature:${rejected.id}:rejection-notice`)).toBe(true);
    expect(byId.has(`signature:${rejected.id}:result`)).toBe(false);
    expect(byId.has(`status:${rejected.id}:REJECTED`)).toBe(true);
  });
});
