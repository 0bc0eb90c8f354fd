import { describe, expect, it } from 'vitest';
import { describeCertificate } from '../../../shared/seal/certificate.ts';
import { crlSignedBy, parseCrl } from '../../../shared/seal/crl.ts';
import { fromPem } from '../../../shared/seal/der.ts';
import {
  createTrustHierarchy, ensureAgencySeal, refreshCrls, revoke, rootCertificateOf, sealingIdentityFor, TrustHierarchyError, type TrustManifest,
} from '../../../shared/seal/trust-hierarchy.ts';
import { givenKeyRing, givenWorkDir, openssl, run } from './pki-fixtures.ts';

// --- factories -------------------------------------------------------------------------------

// Tools validate at the current time, so the hierarchy starts an hour ago (whole seconds, as X.509 times are).
const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
const clock = () => start;
const later = (minutes: number) => () => new Date(start.getTime() + minutes * 60_000);

const givenHierarchy = async () => {
  const ring = givenKeyRing();
  const manifest = await createTrustHierarchy({
    keys: ring.keys,
    agencies: [{ id: 'mois', name: '행정안전부' }, 'nts'],
    clock,
    publicBaseUrl: 'https://hanbeon.example/',
  });
  return { ...ring, manifest };
};

const certificateDer = (pem: string) => fromPem(pem, 'CERTIFICATE');
const crlsOf = (manifest: TrustManifest) => [manifest.root.crl, manifest.sealCa.crl, manifest.platform.crl].map((pem) => fromPem(pem, 'X509 CRL'));

/** openssl verify with every CRL of the chain checked. */
const verifyWithCrls = async (manifest: TrustManifest, leaf: Uint8Array) => {
  const work = await givenWorkDir();
  return openssl('verify', '-crl_check_all',
    '-CAfile', await work.pem('root.pem', rootCertificateOf(manifest)),
    '-untrusted', await work.pem('chain.pem', [certificateDer(manifest.sealCa.certificate), certificateDer(manifest.platform.certificate)]),
    '-CRLfile', await work.pem('crls.pem', crlsOf(manifest), 'X509 CRL'),
    await work.pem('leaf.pem', leaf));
};

const rootSignatures = (ring: Awaited<ReturnType<typeof givenHierarchy>>) => ring.signers.get('root-ca')!.signatures;

// --- specification ---------------------------------------------------------------------------

describe('createTrustHierarchy', () => {
  it('issues agency, platform and TSA certificates that openssl verifies to the root with every CRL checked', async () => {
    const { manifest } = await givenHierarchy();
    const leaves = [manifest.agencies.mois!, manifest.agencies.nts!, manifest.platform, manifest.tsa, manifest.sealCa];

    const results = await Promise.all(leaves.map((leaf) => verifyWithCrls(manifest, certificateDer(leaf.certificate))));

    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
  });

  it('names each agency seal after the agency and records its key name and serial', async () => {
    const { manifest } = await givenHierarchy();

    const mois = describeCertificate(certificateDer(manifest.agencies.mois!.certificate));

    expect(mois.subject).toEqual({ commonName: '행정안전부 직인', organizationalUnit: 'agency:mois', organization: 'hanbeon', country: 'KR' });
    expect(mois.issuer.commonName).toBe('hanbeon Seal CA');
    expect(manifest.agencies.mois!.keyName).toBe('agency-seal-mois');
    expect(manifest.agencies.mois!.serialNumber).toBe(mois.serialNumber);
    expect(describeCertificate(certificateDer(manifest.agencies.nts!.certificate)).subject.commonName).toBe('nts 직인');
  });

  it('points each certificate at the CRL of its issuer under the public base URL', async () => {
    const { manifest } = await givenHierarchy();
    const work = await givenWorkDir();
    const text = async (pem: string) => (await openssl('x509', '-noout', '-ext', 'crlDistributionPoints', '-in', await work.pem('c.pem', certificateDer(pem)))).stdout;

    expect(await text(manifest.sealCa.certificate)).toContain('URI:https://hanbeon.example/v1/trust/crl/root-ca.crl');
    expect(await text(manifest.agencies.mois!.certificate)).toContain('URI:https://hanbeon.example/v1/trust/crl/seal-ca.crl');
  });

  it('lets NSS (what pdfsig uses) accept an agency seal and the platform seal for document signing', async () => {
    const { manifest } = await givenHierarchy();
    const work = await givenWorkDir();
    const db = `sql:${work.dir}`;
    await run('certutil', ['-N', '-d', db, '--empty-password']);
    await run('certutil', ['-A', '-d', db, '-n', 'root', '-t', 'C,C,C', '-i', await work.pem('root.pem', rootCertificateOf(manifest))]);
    await run('certutil', ['-A', '-d', db, '-n', 'seal-ca', '-t', ',,', '-i', await work.pem('ca.pem', certificateDer(manifest.sealCa.certificate))]);
    await run('certutil', ['-A', '-d', db, '-n', 'mois', '-t', ',,', '-i', await work.pem('mois.pem', certificateDer(manifest.agencies.mois!.certificate))]);
    await run('certutil', ['-A', '-d', db, '-n', 'platform', '-t', ',,', '-i', await work.pem('p.pem', certificateDer(manifest.platform.certificate))]);
    await run('certutil', ['-A', '-d', db, '-n', 'tsa', '-t', ',,', '-i', await work.pem('t.pem', certificateDer(manifest.tsa.certificate))]);

    const mois = await run('certutil', ['-V', '-d', db, '-n', 'mois', '-u', 'S']);
    const platform = await run('certutil', ['-V', '-d', db, '-n', 'platform', '-u', 'S']);

    expect(mois.stdout).toContain('certificate is valid');
    expect(platform.stdout).toContain('certificate is valid');
    // control: the TSA certificate is for timestamps only, and NSS says so
    expect((await run('certutil', ['-V', '-d', db, '-n', 'tsa', '-u', 'S'])).stdout).not.toContain('certificate is valid');
  });

  it('survives a JSON round trip and hands out identities whose key is the certified one', async () => {
    const { manifest, keys } = await givenHierarchy();
    const stored = JSON.parse(JSON.stringify(manifest)) as TrustManifest;

    const identity = await sealingIdentityFor(stored, 'agency:mois', keys);
    const tsa = await sealingIdentityFor(stored, 'tsa', keys);

    expect(describeCertificate(identity.certificate).serialNumber).toBe(manifest.agencies.mois!.serialNumber);
    expect(await identity.signer.publicKeySpki()).toEqual(await (await keys('agency-seal-mois')).publicKeySpki());
    expect(identity.chain.map((c) => describeCertificate(c).subject.commonName)).toEqual(['hanbeon Seal CA', 'hanbeon Root CA']);
    expect(crlSignedBy(identity.crls[0]!, identity.chain[0]!)).toBe(true);
    expect(crlSignedBy(identity.crls[1]!, identity.chain[1]!)).toBe(true);
    expect(describeCertificate(tsa.certificate).subject.commonName).toBe('hanbeon Timestamping Authority');
  });

  it('refuses an identity for an agency that has no seal', async () => {
    const { manifest, keys } = await givenHierarchy();

    await expect(sealingIdentityFor(manifest, 'agency:court', keys)).rejects.toThrow(TrustHierarchyError);
    await expect(sealingIdentityFor(manifest, 'agency:court', keys)).rejects.toThrow('expected one of agency:mois, agency:nts, platform, tsa');
  });
});

describe('ensureAgencySeal', () => {
  it('adds a seal for a newly configured agency without touching the root', async () => {
    const ring = await givenHierarchy();
    const before = rootSignatures(ring);

    const manifest = await ensureAgencySeal(ring.manifest, { id: 'court', name: '법원' }, ring.keys, later(5));

    expect(rootSignatures(ring)).toBe(before);
    expect(manifest.root).toEqual(ring.manifest.root);
    expect(manifest.agencies.mois).toEqual(ring.manifest.agencies.mois);
    expect((await verifyWithCrls(manifest, certificateDer(manifest.agencies.court!.certificate))).code).toBe(0);
  });

  it('returns the manifest unchanged for an agency that already has a seal', async () => {
    const { manifest, keys } = await givenHierarchy();

    expect(await ensureAgencySeal(manifest, 'mois', keys, later(5))).toBe(manifest);
  });

  it('refuses an agency id that cannot name a key', async () => {
    const { manifest, keys } = await givenHierarchy();

    await expect(ensureAgencySeal(manifest, 'agency:mois', keys, later(5))).rejects.toThrow('received agency id "agency:mois"');
  });
});

describe('revoke', () => {
  it('revokes an agency seal through a re-issued Seal CA CRL, which openssl then enforces, without the root key', async () => {
    const ring = await givenHierarchy();
    const before = rootSignatures(ring);
    const mois = ring.manifest.agencies.mois!;

    const manifest = await revoke(ring.manifest, { serialNumber: mois.serialNumber, reason: 'keyCompromise', at: later(1)() }, ring.keys);
    const result = await verifyWithCrls(manifest, certificateDer(mois.certificate));

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('certificate revoked');
    expect(manifest.sealCa.crlNumber).toBe(2);
    expect(parseCrl(fromPem(manifest.sealCa.crl, 'X509 CRL')).revoked).toEqual([{ serialNumber: mois.serialNumber, revokedAt: later(1)(), reason: 'keyCompromise' }]);
    expect(rootSignatures(ring)).toBe(before);
    expect((await verifyWithCrls(manifest, certificateDer(manifest.agencies.nts!.certificate))).code).toBe(0);
  });

  it('revokes the Seal CA with the root key, which makes every seal below it fail', async () => {
    const ring = await givenHierarchy();
    const before = rootSignatures(ring);

    const manifest = await revoke(ring.manifest, { serialNumber: ring.manifest.sealCa.serialNumber, reason: 'cACompromise', at: later(1)() }, ring.keys);
    const result = await verifyWithCrls(manifest, certificateDer(manifest.agencies.nts!.certificate));

    expect(rootSignatures(ring)).toBe(before + 1);
    expect(manifest.root.crlNumber).toBe(2);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('certificate revoked');
  });

  it('puts an applicant seal on the platform seal CRL when told it was issued by the platform', async () => {
    const { manifest, keys } = await givenHierarchy();

    const revoked = await revoke(manifest, { serialNumber: '7f01', reason: 'privilegeWithdrawn', at: later(1)(), issuedBy: 'platform' }, keys);

    expect(parseCrl(fromPem(revoked.platform.crl, 'X509 CRL')).revoked.map((r) => r.serialNumber)).toEqual(['7f01']);
    expect(revoked.sealCa).toEqual(manifest.sealCa);
  });

  it('refuses a serial number the manifest does not know', async () => {
    const { manifest, keys } = await givenHierarchy();

    await expect(revoke(manifest, { serialNumber: '7f01', reason: 'keyCompromise', at: later(1)() }, keys)).rejects.toThrow(TrustHierarchyError);
  });

  it('keeps a revoked serial listed once when revoked twice', async () => {
    const { manifest, keys } = await givenHierarchy();
    const revocation = { serialNumber: manifest.tsa.serialNumber.toUpperCase(), reason: 'superseded' as const, at: later(1)() };

    const once = await revoke(manifest, revocation, keys);
    const twice = await revoke(once, revocation, keys);

    expect(twice).toBe(once);
  });
});

describe('refreshCrls', () => {
  it('re-issues the Seal CA and platform CRLs for a new window, keeping revocations and the root CRL', async () => {
    const ring = await givenHierarchy();
    const revoked = await revoke(ring.manifest, { serialNumber: ring.manifest.tsa.serialNumber, reason: 'superseded', at: later(1)() }, ring.keys);
    const before = rootSignatures(ring);

    const refreshed = await refreshCrls(revoked, ring.keys, later(2));
    const crl = parseCrl(fromPem(refreshed.sealCa.crl, 'X509 CRL'));

    expect(crl.thisUpdate).toEqual(later(2)());
    expect(crl.nextUpdate).toEqual(new Date(later(2)().getTime() + 7 * 86_400_000));
    expect(crl.crlNumber).toBe(3);
    expect(crl.revoked.map((r) => r.serialNumber)).toEqual([ring.manifest.tsa.serialNumber]);
    expect(refreshed.root).toEqual(revoked.root);
    expect(rootSignatures(ring)).toBe(before);
  });
});
