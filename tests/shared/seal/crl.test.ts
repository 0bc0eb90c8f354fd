import { describe, expect, it } from 'vitest';
import { describeCertificate, issueCertificate, type CertificateProfile } from '../../../shared/seal/certificate.ts';
import { crlSignedBy, isRevokedIn, issueCrl, parseCrl, type RevokedCertificate } from '../../../shared/seal/crl.ts';
import type { Signer } from '../../../shared/seal/signer.ts';
import { givenSigner, givenWorkDir, openssl } from './pki-fixtures.ts';

// --- factories -------------------------------------------------------------------------------

const now = new Date('2026-11-24T03:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

type Issued = { signer: Signer; certificate: Uint8Array };

const issue = async (issuer: Issued | 'self', profile: CertificateProfile, commonName: string): Promise<Issued> => {
  const signer = givenSigner(commonName);
  const certificate = await issueCertificate({
    subject: { commonName, organization: 'hanbeon', country: 'KR' },
    issuer: issuer === 'self' ? { selfSigned: signer } : issuer,
    publicKeySpki: await signer.publicKeySpki(),
    notBefore: days(-30),
    notAfter: days(3650),
    profile,
    pathLength: 1,
  });
  return { signer, certificate };
};

const givenHierarchy = async () => {
  const root = await issue('self', 'root-ca', 'hanbeon Root CA');
  const sealCa = await issue(root, 'intermediate-ca', 'hanbeon Seal CA');
  const seal = await issue(sealCa, 'seal', '행정안전부 직인');
  const other = await issue(sealCa, 'seal', '국세청 직인');
  return { root, sealCa, seal, other };
};

const crlOf = (issuer: Issued, revoked: RevokedCertificate[] = [], crlNumber = 1) =>
  issueCrl({ issuer, revoked, thisUpdate: now, nextUpdate: days(7), crlNumber });

const serialOf = (certificate: Uint8Array) => describeCertificate(certificate).serialNumber;

// --- specification ---------------------------------------------------------------------------

describe('issueCrl', () => {
  it('issues a CRL that openssl verifies against its issuing CA', async () => {
    const { root, sealCa, seal } = await givenHierarchy();
    const crl = await crlOf(sealCa, [{ serialNumber: serialOf(seal.certificate), revokedAt: now, reason: 'keyCompromise' }]);
    const work = await givenWorkDir();

    const result = await openssl('crl', '-noout', '-verify', '-in', await work.pem('crl.pem', crl, 'X509 CRL'), '-CAfile', await work.pem('cas.pem', [root.certificate, sealCa.certificate]));

    expect(result.stderr.trim()).toBe('verify OK');
    expect(result.code).toBe(0);
  });

  it('makes openssl report a listed certificate as revoked', async () => {
    const { root, sealCa, seal } = await givenHierarchy();
    const crl = await crlOf(sealCa, [{ serialNumber: serialOf(seal.certificate), revokedAt: now, reason: 'keyCompromise' }]);
    const work = await givenWorkDir();

    const result = await openssl('verify', '-crl_check', '-attime', String(now.getTime() / 1000 + 60),
      '-CAfile', await work.pem('root.pem', root.certificate), '-untrusted', await work.pem('ca.pem', sealCa.certificate),
      '-CRLfile', await work.pem('crl.pem', crl, 'X509 CRL'), await work.pem('seal.pem', seal.certificate));

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('certificate revoked');
  });

  it('lets openssl accept an unlisted certificate with every CRL of its chain checked', async () => {
    const { root, sealCa, seal, other } = await givenHierarchy();
    const sealCaCrl = await crlOf(sealCa, [{ serialNumber: serialOf(other.certificate), revokedAt: now }]);
    const rootCrl = await crlOf(root);
    const work = await givenWorkDir();

    const result = await openssl('verify', '-crl_check_all', '-attime', String(now.getTime() / 1000 + 60),
      '-CAfile', await work.pem('root.pem', root.certificate), '-untrusted', await work.pem('ca.pem', sealCa.certificate),
      '-CRLfile', await work.pem('crls.pem', [sealCaCrl, rootCrl], 'X509 CRL'), await work.pem('seal.pem', seal.certificate));

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('reads back revoked serials, times, reasons, window, number and issuer key identifier', async () => {
    const { sealCa, seal, other } = await givenHierarchy();
    const revoked: RevokedCertificate[] = [
      { serialNumber: serialOf(seal.certificate), revokedAt: days(-1), reason: 'keyCompromise' },
      { serialNumber: serialOf(other.certificate), revokedAt: days(-2) },
    ];

    const parsed = parseCrl(await crlOf(sealCa, revoked, 42));

    expect(parsed.revoked).toEqual(revoked);
    expect(parsed.thisUpdate).toEqual(now);
    expect(parsed.nextUpdate).toEqual(days(7));
    expect(parsed.crlNumber).toBe(42);
    expect(parsed.issuer.commonName).toBe('hanbeon Seal CA');
    expect(parsed.authorityKeyIdentifier).toBe(describeCertificate(sealCa.certificate).subjectKeyIdentifier);
    expect(isRevokedIn(parsed, serialOf(seal.certificate).toUpperCase())).toBe(true);
  });

  it('writes the reason and CRL number so that openssl reads the same values', async () => {
    const { sealCa, seal } = await givenHierarchy();
    const crl = await crlOf(sealCa, [{ serialNumber: serialOf(seal.certificate), revokedAt: now, reason: 'cessationOfOperation' }], 7);
    const work = await givenWorkDir();

    const text = (await openssl('crl', '-noout', '-text', '-in', await work.pem('crl.pem', crl, 'X509 CRL'))).stdout;

    expect(text).toContain('Version 2 (0x1)');
    expect(text).toMatch(/X509v3 CRL Number: \s+7\n/);
    expect(text).toContain(`Serial Number: ${serialOf(seal.certificate).toUpperCase()}`);
    expect(text).toMatch(/X509v3 CRL Reason Code: \s+Cessation Of Operation/);
  });

  it('reads an empty CRL as revoking nothing', async () => {
    const { root } = await givenHierarchy();

    const parsed = parseCrl(await crlOf(root));

    expect(parsed.revoked).toEqual([]);
  });

  it('tells a CRL signed by its issuer from a tampered one or one checked against another CA', async () => {
    const { root, sealCa, seal } = await givenHierarchy();
    const crl = await crlOf(sealCa, [{ serialNumber: serialOf(seal.certificate), revokedAt: now }]);
    const tampered = Uint8Array.from(crl);
    tampered[Buffer.from(crl).indexOf(Buffer.from(serialOf(seal.certificate), 'hex')) + 3]! ^= 0x01;

    expect(crlSignedBy(crl, sealCa.certificate)).toBe(true);
    expect(crlSignedBy(tampered, sealCa.certificate)).toBe(false);
    expect(crlSignedBy(crl, root.certificate)).toBe(false);
  });

  it('refuses a window whose next update is not after this update', async () => {
    const { root } = await givenHierarchy();

    await expect(issueCrl({ issuer: root, revoked: [], thisUpdate: now, nextUpdate: now, crlNumber: 1 })).rejects.toThrow(/expected nextUpdate after thisUpdate/);
  });
});
