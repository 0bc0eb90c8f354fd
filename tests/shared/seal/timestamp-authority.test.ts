import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCertificate, type CertificateProfile } from '../../../shared/seal/certificate.ts';
import { OID_SHA256, OID_TSA_POLICY } from '../../../shared/seal/oids.ts';
import type { Signer } from '../../../shared/seal/signer.ts';
import { LocalTimestampAuthority, readTimestampToken, TimestampRequestError } from '../../../shared/seal/timestamp-authority.ts';
import { givenSigner, givenWorkDir, openssl } from './pki-fixtures.ts';

// --- factories -------------------------------------------------------------------------------

const now = new Date('2026-11-24T03:00:00.123Z');
type Issued = { signer: Signer; certificate: Uint8Array };

const issue = async (issuer: Issued | 'self', profile: CertificateProfile, commonName: string): Promise<Issued> => {
  const signer = givenSigner(commonName);
  const certificate = await issueCertificate({
    subject: { commonName, organization: 'hanbeon', country: 'KR' },
    issuer: issuer === 'self' ? { selfSigned: signer } : issuer,
    publicKeySpki: await signer.publicKeySpki(),
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2036-01-01T00:00:00Z'),
    profile,
    pathLength: 1,
  });
  return { signer, certificate };
};

const givenTsa = async (clock = () => now) => {
  const root = await issue('self', 'root-ca', 'hanbeon Root CA');
  const sealCa = await issue(root, 'intermediate-ca', 'hanbeon Seal CA');
  const tsa = await issue(sealCa, 'tsa', 'hanbeon TSA');
  return { root, sealCa, tsa, authority: new LocalTimestampAuthority({ identity: tsa, clock }) };
};

const digestOf = (text: string) => new Uint8Array(createHash('sha256').update(text).digest());

const verifyWithOpenssl = async (token: Uint8Array, digest: Uint8Array, root: Uint8Array, untrusted: Uint8Array[]) => {
  const work = await givenWorkDir();
  return openssl('ts', '-verify', '-digest', Buffer.from(digest).toString('hex'), '-in', await work.raw('token.der', token), '-token_in',
    '-CAfile', await work.pem('root.pem', root), '-untrusted', await work.pem('chain.pem', untrusted));
};

// --- specification ---------------------------------------------------------------------------

describe('LocalTimestampAuthority', () => {
  it('issues a token that openssl ts verifies through the Seal CA up to the root', async () => {
    const { root, sealCa, authority } = await givenTsa();
    const digest = digestOf('result PDF signature value');

    const token = await authority.timestamp(digest);
    const result = await verifyWithOpenssl(token, digest, root.certificate, [sealCa.certificate]);

    expect(result.stderr).not.toMatch(/error/i);
    expect(result.stdout).toContain('Verification: OK');
    expect(result.code).toBe(0);
  });

  it('issues a token that openssl refuses for another digest', async () => {
    const { root, sealCa, authority } = await givenTsa();

    const token = await authority.timestamp(digestOf('what was stamped'));
    const result = await verifyWithOpenssl(token, digestOf('something else'), root.certificate, [sealCa.certificate]);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('message imprint mismatch');
  });

  it('issues a token that openssl refuses under another root', async () => {
    const { sealCa, authority } = await givenTsa();
    const { root: otherRoot } = await givenTsa();
    const digest = digestOf('x');

    const result = await verifyWithOpenssl(await authority.timestamp(digest), digest, otherRoot.certificate, [sealCa.certificate]);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/certificate verify error|signature failure/);
  });

  it('states the injected time with milliseconds, the policy, SHA-256 and the TSA certificate, as openssl reads them', async () => {
    const { tsa, authority } = await givenTsa();
    const digest = digestOf('x');
    const token = await authority.timestamp(digest);
    const work = await givenWorkDir();

    const contents = readTimestampToken(token);
    const text = (await openssl('ts', '-reply', '-in', await work.raw('token.der', token), '-token_in', '-text')).stdout;

    expect(contents.genTime).toEqual(now);
    expect(contents.policy).toBe(OID_TSA_POLICY);
    expect(contents.hashAlgorithm).toBe(OID_SHA256);
    expect(contents.messageImprint).toEqual(digest);
    expect(contents.certificates).toEqual([tsa.certificate]);
    expect(text).toContain('Time stamp: Nov 24 03:00:00.123 2026 GMT');
    expect(text).toContain(`Policy OID: ${OID_TSA_POLICY}`);
    expect(text).toContain(`Serial number: 0x${contents.serialNumber.toUpperCase()}`);
  });

  it('draws a fresh serial number for every token', async () => {
    const { authority } = await givenTsa();

    const serials = await Promise.all([1, 2, 3, 4].map(async (n) => readTimestampToken(await authority.timestamp(digestOf(String(n)))).serialNumber));

    expect(new Set(serials).size).toBe(4);
  });

  it('writes a whole-second time without a fraction, as DER requires', async () => {
    const { root, sealCa, authority } = await givenTsa(() => new Date('2026-11-24T03:00:00.000Z'));
    const digest = digestOf('x');

    const token = await authority.timestamp(digest);

    expect(Buffer.from(token).includes(Buffer.from('20261124030000Z'))).toBe(true);
    expect((await verifyWithOpenssl(token, digest, root.certificate, [sealCa.certificate])).code).toBe(0);
  });

  it('refuses a digest that is not 32 bytes long', async () => {
    const { authority } = await givenTsa();

    await expect(authority.timestamp(new Uint8Array(20))).rejects.toThrow(TimestampRequestError);
    await expect(authority.timestamp(new Uint8Array(20))).rejects.toThrow('received a 20-byte digest');
  });
});
