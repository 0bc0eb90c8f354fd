import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CertificateIssuanceError, describeCertificate, issueCertificate, type CertificateProfile } from '../../../shared/seal/certificate.ts';
import type { Signer } from '../../../shared/seal/signer.ts';
import { givenSigner, givenWorkDir, openssl } from './pki-fixtures.ts';

// --- factories -------------------------------------------------------------------------------

const notBefore = new Date('2026-11-01T00:00:00Z');
const years = (n: number) => new Date(Date.UTC(2026 + n, 10, 1));

const givenRoot = async (name = 'hanbeon Root CA') => {
  const signer = givenSigner('root');
  const certificate = await issueCertificate({
    subject: { commonName: name, organization: 'hanbeon', country: 'KR' },
    issuer: { selfSigned: signer },
    publicKeySpki: await signer.publicKeySpki(),
    notBefore,
    notAfter: years(20),
    profile: 'root-ca',
  });
  return { signer, certificate };
};

const givenIssued = async (issuer: { signer: Signer; certificate: Uint8Array }, profile: CertificateProfile, commonName: string, pathLength?: number) => {
  const signer = givenSigner(commonName);
  const certificate = await issueCertificate({
    subject: { commonName, organization: 'hanbeon', country: 'KR' },
    issuer,
    publicKeySpki: await signer.publicKeySpki(),
    notBefore,
    notAfter: years(5),
    profile,
    pathLength,
    crlDistributionPoint: 'https://hanbeon.example/v1/trust/crl/seal-ca.crl',
  });
  return { signer, certificate };
};

const givenChain = async () => {
  const root = await givenRoot();
  const sealCa = await givenIssued(root, 'intermediate-ca', 'hanbeon Seal CA', 1);
  return { root, sealCa };
};

const verifyWithOpenssl = async (root: Uint8Array, intermediates: Uint8Array[], leaf: Uint8Array, ...flags: string[]) => {
  const work = await givenWorkDir();
  return openssl('verify', ...flags, '-CAfile', await work.pem('root.pem', root), '-untrusted', await work.pem('chain.pem', intermediates), await work.pem('leaf.pem', leaf));
};

const textOf = async (certificate: Uint8Array) => {
  const work = await givenWorkDir();
  return (await openssl('x509', '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space', '-in', await work.pem('cert.pem', certificate))).stdout;
};

// --- specification ---------------------------------------------------------------------------

describe('issueCertificate', () => {
  it.each<CertificateProfile>(['seal', 'tsa', 'platform-seal'])('issues a %s certificate that openssl verifies up to the root', async (profile) => {
    const { root, sealCa } = await givenChain();
    const leaf = await givenIssued(sealCa, profile, `${profile} of mois`);

    const result = await verifyWithOpenssl(root.certificate, [sealCa.certificate], leaf.certificate);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(': OK');
  });

  it('issues a self-signed root that openssl accepts as a trust anchor', async () => {
    const root = await givenRoot();
    const work = await givenWorkDir();
    const path = await work.pem('root.pem', root.certificate);

    const result = await openssl('verify', '-CAfile', path, path);

    expect(result.code).toBe(0);
  });

  it('produces a certificate that openssl refuses under another root', async () => {
    const { sealCa } = await givenChain();
    const leaf = await givenIssued(sealCa, 'seal', 'seal of mois');
    const otherRoot = await givenRoot();

    const result = await verifyWithOpenssl(otherRoot.certificate, [sealCa.certificate], leaf.certificate);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/certificate signature failure|unable to get local issuer certificate/);
  });

  it('produces a certificate whose signature fails once a byte of its TBS is changed', async () => {
    const { root, sealCa } = await givenChain();
    const leaf = await givenIssued(sealCa, 'seal', 'seal of mois');
    const tampered = Uint8Array.from(leaf.certificate);
    const at = Buffer.from(tampered).indexOf(Buffer.from('seal of mois'));
    tampered[at] = 'X'.charCodeAt(0);

    const result = await verifyWithOpenssl(root.certificate, [sealCa.certificate], tampered);

    expect(new X509Certificate(leaf.certificate).verify(new X509Certificate(sealCa.certificate).publicKey)).toBe(true);
    expect(new X509Certificate(tampered).verify(new X509Certificate(sealCa.certificate).publicKey)).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('certificate signature failure');
  });

  it('marks a root CA with critical basicConstraints and keyCertSign + cRLSign, and no distribution point', async () => {
    const root = await givenRoot();

    const text = await textOf(root.certificate);

    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).not.toContain('CRL Distribution Points');
  });

  it('limits the Seal CA path length and points at its issuer CRL', async () => {
    const { root, sealCa } = await givenChain();

    const text = await textOf(sealCa.certificate);

    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:1\n/);
    expect(text).toContain('URI:https://hanbeon.example/v1/trust/crl/seal-ca.crl');
    expect(text).toContain(`X509v3 Authority Key Identifier: \n                ${describeCertificate(root.certificate).subjectKeyIdentifier.toUpperCase().match(/../g)!.join(':')}`);
  });

  it('gives a seal certificate critical digitalSignature + nonRepudiation and the document-signing purposes', async () => {
    const { sealCa } = await givenChain();
    const seal = await givenIssued(sealCa, 'seal', 'seal of mois');

    const text = await textOf(seal.certificate);

    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \s+E-mail Protection, 1\.3\.6\.1\.5\.5\.7\.3\.36\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: \s+CA:FALSE\n/);
  });

  it('gives a TSA certificate the single critical timeStamping purpose RFC 3161 requires', async () => {
    const { sealCa } = await givenChain();
    const tsa = await givenIssued(sealCa, 'tsa', 'hanbeon TSA');

    const text = await textOf(tsa.certificate);

    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: critical\s+Time Stamping\n/);
  });

  it('keeps a Korean common name intact through DER, openssl and describeCertificate', async () => {
    const { sealCa } = await givenChain();
    const signer = givenSigner();
    const certificate = await issueCertificate({
      subject: { commonName: '행정안전부 직인', organization: 'hanbeon', country: 'KR' },
      issuer: sealCa,
      publicKeySpki: await signer.publicKeySpki(),
      notBefore,
      notAfter: years(3),
      profile: 'seal',
    });

    const described = describeCertificate(certificate);
    const text = await textOf(certificate);

    expect(described.subject).toEqual({ commonName: '행정안전부 직인', organization: 'hanbeon', country: 'KR' });
    expect(described.issuer.commonName).toBe('hanbeon Seal CA');
    expect(text).toContain('Subject: C=KR, O=hanbeon, CN=행정안전부 직인');
  });

  it('describes validity, serial number and key identifiers as openssl reads them', async () => {
    const { sealCa } = await givenChain();
    const seal = await givenIssued(sealCa, 'seal', 'seal of mois');
    const work = await givenWorkDir();
    const path = await work.pem('seal.pem', seal.certificate);

    const described = describeCertificate(seal.certificate);
    const serial = (await openssl('x509', '-noout', '-serial', '-in', path)).stdout;

    expect(described.notBefore).toEqual(notBefore);
    expect(described.notAfter).toEqual(years(5));
    expect(`serial=${described.serialNumber.toUpperCase()}\n`).toBe(serial);
    expect(described.authorityKeyIdentifier).toBe(describeCertificate(sealCa.certificate).subjectKeyIdentifier);
    expect(described.isCa).toBe(false);
  });

  it('draws positive, 16-byte, distinct serial numbers', async () => {
    const { sealCa } = await givenChain();

    const serials = await Promise.all(Array.from({ length: 8 }, async () => describeCertificate((await givenIssued(sealCa, 'seal', 's')).certificate).serialNumber));

    expect(new Set(serials).size).toBe(8);
    for (const serial of serials) expect(serial).toMatch(/^[4-7][0-9a-f]{31}$/);
  });

  it('refuses a signer whose key is not the one the issuer certificate certifies', async () => {
    const { sealCa } = await givenChain();
    const subject = givenSigner();

    const issuing = issueCertificate({
      subject: { commonName: 'seal of mois' },
      issuer: { certificate: sealCa.certificate, signer: givenSigner('impostor') },
      publicKeySpki: await subject.publicKeySpki(),
      notBefore,
      notAfter: years(1),
      profile: 'seal',
    });

    await expect(issuing).rejects.toThrow(CertificateIssuanceError);
    await expect(issuing).rejects.toThrow(/test:impostor/);
  });

  it('refuses a validity that ends before it starts', async () => {
    const root = await givenRoot();
    const signer = givenSigner();

    const issuing = issueCertificate({
      subject: { commonName: 'x' }, issuer: root, publicKeySpki: await signer.publicKeySpki(), notBefore: years(2), notAfter: years(1), profile: 'seal',
    });

    await expect(issuing).rejects.toThrow(/expected notAfter after notBefore/);
  });
});
