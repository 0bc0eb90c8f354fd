/**
 * One checkpoint judged offline, with the PDF verifier's timestamp and path checks: a genuine one
 * passes; a token is judged by its signer id whatever certificate it carries first; an agency seal
 * cannot pass for the platform seal; and a hostile export (a key of another type, bytes that are no
 * certificate or token) is refused with a reason, never thrown at the caller.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointMessage } from '../../../shared/audit/chain.ts';
import { checkCheckpoint, type CheckpointEvidence } from '../../../shared/audit/checkpoint-check.ts';
import { checkpointDigest, pkiCheckpointSealer } from '../../../shared/audit/index.ts';
import { issueCertificate } from '../../../shared/seal/certificate.ts';
import { childrenOf, contextChild, fromDer, preEncoded, toDer } from '../../../shared/seal/der.ts';
import { readTimestampToken } from '../../../shared/seal/timestamp-authority.ts';
import { givenSigner } from '../seal/pki-fixtures.ts';
import { givenTrust } from './audit-fixtures.ts';

let trust: Awaited<ReturnType<typeof givenTrust>>;
let genuine: CheckpointEvidence;
/** The certificates an export's header carries: the Seal CA and the root. */
let pool: Uint8Array[];

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));
const statement = { seq: 5, hash: 'ab'.repeat(32), at: '2026-11-24T08:00:05.000Z' };
const digestHex = Buffer.from(checkpointDigest(statement)).toString('hex');

beforeAll(async () => {
  trust = await givenTrust();
  const sealed = await pkiCheckpointSealer(trust.pki)(checkpointDigest(statement));
  genuine = { ...statement, digest: digestHex, signature: bytes(sealed.signature), certificate: bytes(sealed.certificate), timestampToken: bytes(sealed.timestampToken) };
  pool = sealed.chain.map(bytes);
});

/** The token with its certificates [0] set replaced by `certificates(original)`; the signed parts untouched. */
const withTokenCertificates = (token: Uint8Array, certificates: (original: Uint8Array[]) => Uint8Array[]): Uint8Array => {
  const contentInfo = fromDer(token);
  const signedData = childrenOf(childrenOf(contentInfo)[1])[0];
  const set = contextChild(childrenOf(signedData), 0)!;
  set.value = certificates(childrenOf(set).map(toDer)).map(preEncoded);
  return toDer(contentInfo);
};

/** A root of our own and, under it, a 'platform seal' certificate for a key of `type` that node cannot verify ECDSA with. */
const givenForeignKeySeal = async (type: 'ed25519' | 'x25519') => {
  const rootSigner = givenSigner('mallory-root');
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 86_400_000);
  const root = await issueCertificate({ subject: { commonName: 'Mallory Root' }, issuer: { selfSigned: rootSigner }, publicKeySpki: await rootSigner.publicKeySpki(), notBefore, notAfter, profile: 'root-ca' });
  const { publicKey, privateKey } = type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('x25519');
  const certificate = await issueCertificate({
    subject: { commonName: `Mallory ${type} seal` },
    issuer: { certificate: root, signer: rootSigner },
    publicKeySpki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    notBefore, notAfter, profile: 'platform-seal',
  });
  const signature = type === 'ed25519' ? new Uint8Array(sign(null, Buffer.from(checkpointMessage(statement)), privateKey)) : new Uint8Array(randomBytes(64));
  return { root, certificate, signature };
};

describe('checkCheckpoint', () => {
  it('accepts a genuine checkpoint: the platform seal signed it, the TSA stamped its digest, both up to the root', async () => {
    const check = await checkCheckpoint(genuine, pool, trust.root);

    expect(check).toMatchObject({ ok: true, signedBy: 'hanbeon 플랫폼 직인', tsa: 'hanbeon Timestamping Authority' });
    expect(check.ok && Date.parse(check.timestampTime)).toBeGreaterThan(0);
  });

  it('accepts a genuine checkpoint handed over as Node Buffers, as the export reader decodes base64, and leaves them unchanged', async () => {
    const asBuffer = (b: Uint8Array) => Buffer.from(Buffer.from(b).toString('base64'), 'base64');
    const evidence = { ...genuine, signature: asBuffer(genuine.signature), certificate: asBuffer(genuine.certificate), timestampToken: asBuffer(genuine.timestampToken) };
    const before = Buffer.from(evidence.timestampToken);

    const first = await checkCheckpoint(evidence, pool.map(asBuffer), asBuffer(trust.root));
    const second = await checkCheckpoint(evidence, pool.map(asBuffer), asBuffer(trust.root));

    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(evidence.timestampToken).toEqual(before);
  });

  it('judges the timestamp by its signer id, not by the first certificate the token carries', async () => {
    const agency = await trust.agencySeal();
    const token = withTokenCertificates(genuine.timestampToken, (original) => [agency.certificate, ...original]);
    expect(Buffer.from(readTimestampToken(token).certificates[0]!)).toEqual(Buffer.from(agency.certificate));

    const check = await checkCheckpoint({ ...genuine, timestampToken: token }, pool, trust.root);

    expect(check).toMatchObject({ ok: true, tsa: 'hanbeon Timestamping Authority' });
  });

  it('refuses a token that carries no certificate matching its signer id, even a genuine one of the hierarchy', async () => {
    const agency = await trust.agencySeal();
    const token = withTokenCertificates(genuine.timestampToken, () => [agency.certificate]);

    const check = await checkCheckpoint({ ...genuine, timestampToken: token }, pool, trust.root);

    expect(check.ok).toBe(false);
    expect(!check.ok && check.detail).toContain("the TSA's certificate is not in the token");
  });

  it('refuses a checkpoint signed by an agency seal: a genuine key of the hierarchy, but not the platform seal', async () => {
    const agency = await trust.agencySeal();
    const signature = await agency.signer.signDigest(checkpointDigest(statement));

    const check = await checkCheckpoint({ ...genuine, signature, certificate: agency.certificate }, pool, trust.root);

    expect(check.ok).toBe(false);
    expect(!check.ok && check.detail).toContain("'법원 직인', which is not the platform seal");
  });

  it('refuses a timestamp over another digest, naming the checkpoint digest it expected', async () => {
    const other = await pkiCheckpointSealer(trust.pki)(checkpointDigest({ ...statement, seq: 6 }));

    const check = await checkCheckpoint({ ...genuine, timestampToken: bytes(other.timestampToken) }, pool, trust.root);

    expect(check.ok).toBe(false);
    expect(!check.ok && check.detail).toContain(`expected the checkpoint digest ${digestHex}`);
  });

  it('refuses a checkpoint whose signer chains to the root only through certificates the export does not carry', async () => {
    const check = await checkCheckpoint(genuine, [], trust.root);

    expect(check.ok).toBe(false);
    expect(!check.ok && check.detail).toContain('no path');
  });

  it.each(['ed25519', 'x25519'] as const)('refuses, without throwing, a checkpoint whose certificate carries an %s key', async (type) => {
    const foreign = await givenForeignKeySeal(type);

    const check = await checkCheckpoint({ ...genuine, certificate: foreign.certificate, signature: foreign.signature }, [], foreign.root);

    expect(check.ok).toBe(false);
    expect(!check.ok && check.detail).toContain(`does not verify with the key of 'Mallory ${type} seal'`);
  });

  it.each([
    ['a signer certificate that is no certificate', { certificate: new Uint8Array(randomBytes(300)) }, 'its signer certificate cannot be read'],
    ['a timestamp token that is no token', { timestampToken: new Uint8Array(randomBytes(300)) }, 'its timestamp'],
    ['an empty signature', { signature: new Uint8Array(0) }, 'does not verify'],
  ] as const)('refuses, without throwing, %s', async (_, change, reason) => {
    const check = await checkCheckpoint({ ...genuine, ...change }, pool, trust.root);

    expect(check.ok).toBe(false);
    expect(!check.ok && check.detail).toContain(reason);
  });

  it('refuses, without throwing, every checkpoint when the trusted root is no certificate', async () => {
    const check = await checkCheckpoint(genuine, pool, new Uint8Array(randomBytes(64)));

    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining('the trusted root is not a certificate') });
  });
});
