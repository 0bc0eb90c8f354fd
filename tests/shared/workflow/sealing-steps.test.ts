/**
 * The sealing steps against the real embedded platform's store, object storage and PKI: an applicant
 * seal that was revoked, or has expired, cannot be used to seal a result; a replayed IssueSeal
 * yields no second seal certificate.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentSecret } from '../../../infra/local/development-secrets.ts';
import { localKeyDirectory } from '../../../infra/local/local-pki.ts';
import type { Decision } from '../../../shared/petition/model.ts';
import { LocalKeyStore } from '../../../shared/seal/local-key-store-signer.ts';
import { ManifestPki, readTrustManifest, writeTrustManifest } from '../../../shared/seal/manifest-pki.ts';
import { revoke } from '../../../shared/seal/trust-hierarchy.ts';
import { issueSeal, renderResult, signResult, type SealingStepDeps } from '../../../shared/workflow/sealing-steps.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

let t: TestPlatform;
let keys: LocalKeyStore;

beforeAll(async () => {
  t = await startTestPlatform();
  const dataDir = resolve(t.platform.config.DATA_DIR);
  keys = new LocalKeyStore({ directory: localKeyDirectory(dataDir), passphrase: await developmentSecret(dataDir, 'key-passphrase') });
}, 60_000);
afterAll(() => t?.close());

const approval: Decision = { outcome: 'approve', reasons: [], decidedAt: '2026-11-24T09:00:00.000Z' };

/** A petition parked in AWAITING_REVIEW: the workflow leaves it alone, so the steps can be driven by hand. */
const parkedPetition = async () => {
  const token = await t.token('demo-lee-cheolsu');
  const answer = await t.submit(token, t.exampleBody('basic-pension'));
  const { id } = (await answer.json()) as { id: string };
  await t.waitForStatus(token, id, ['AWAITING_REVIEW']);
  return id;
};

const depsAt = (clock: () => Date, pki = new ManifestPki({ objects: t.platform.objects, keys: (name) => keys.open(name), refreshMs: 0 })): SealingStepDeps => ({
  store: t.platform.store,
  objects: t.platform.objects,
  catalog: t.platform.catalog,
  evidence: { fetch: () => Promise.reject(new Error('no evidence is fetched by sealing steps')) },
  clock,
  audit: t.platform.audit,
  pki,
  publicBaseUrl: t.url,
  applicantSealDays: 1,
});

describe('sealing steps', () => {
  it('refuses to seal a result with an applicant seal revoked since it was issued, naming the reason', async () => {
    const petitionId = await parkedPetition();
    const deps = depsAt(() => new Date());
    const { serialNumber } = await issueSeal({ petitionId }, deps);
    const manifest = (await readTrustManifest(t.platform.objects))!;
    await writeTrustManifest(t.platform.objects, await revoke(manifest, { serialNumber, reason: 'keyCompromise', at: new Date(), issuedBy: 'platform' }, (name) => keys.open(name)));
    const rendered = await renderResult({ petitionId, decision: approval }, deps);

    const refusal = signResult({ petitionId, decision: approval, rendered }, deps);

    await expect(refusal).rejects.toMatchObject({ name: 'ApplicantSealUnusableError', reason: 'revoked' });
    expect(await t.platform.store.getArtifact(petitionId, 'signed-result')).toBeUndefined();
  });

  it('refuses an applicant seal that has expired', async () => {
    const petitionId = await parkedPetition();
    const issuedAt = Date.now();
    const { serialNumber } = await issueSeal({ petitionId }, depsAt(() => new Date(issuedAt)));
    const later = depsAt(() => new Date(issuedAt + 2 * 86_400_000));
    const rendered = await renderResult({ petitionId, decision: approval }, later);

    await expect(signResult({ petitionId, decision: approval, rendered }, later)).rejects.toMatchObject({ name: 'ApplicantSealUnusableError', reason: 'expired' });
    expect(serialNumber).toMatch(/^[0-9a-f]+$/);
  });

  it('issues one seal certificate however often IssueSeal is replayed or raced', async () => {
    const petitionId = await parkedPetition();
    const deps = depsAt(() => new Date());

    const results = await Promise.all([issueSeal({ petitionId }, deps), issueSeal({ petitionId }, deps), issueSeal({ petitionId }, deps)]);
    const again = await issueSeal({ petitionId }, deps);

    expect(new Set([...results, again].map((r) => r.serialNumber)).size).toBe(1);
    const record = await t.platform.store.getPetitionRecord(petitionId);
    expect(record.artifacts.filter((a) => a.kind === 'applicant-seal')).toHaveLength(1);
  });
});
