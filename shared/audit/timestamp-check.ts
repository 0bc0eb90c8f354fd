/**
 * Checks an RFC 3161 TimeStampToken offline: its messageImprint is the expected digest, the
 * messageDigest attribute matches the TSTInfo, the TSA's signature over the signed attributes is
 * valid, and the TSA certificate (carried in the token) is a timestamping certificate that chains
 * to the trusted root at genTime. Reads the structure with shared/seal's DER helpers.
 */
import { createHash, createVerify, X509Certificate } from 'node:crypto';
import { childrenOf, contextChild, fromDer, oidOf, primitiveBytes, toDer } from '../seal/der.ts';
import { OID_KP_TIME_STAMPING, OID_MESSAGE_DIGEST, OID_SHA256 } from '../seal/oids.ts';
import { readTimestampToken } from '../seal/timestamp-authority.ts';
import { certificatePath } from './certificate-path.ts';

export type TimestampCheck = { ok: true; genTime: Date; tsa: string } | { ok: false; detail: string };

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** Checks `token` against the `digest` it should stamp, with `pool` as intermediate certificates and `root` as the anchor. */
export function checkTimestampToken(token: Uint8Array, digest: Uint8Array, pool: readonly Uint8Array[], root: Uint8Array): TimestampCheck {
  try {
    const contents = readTimestampToken(token);
    if (contents.hashAlgorithm !== OID_SHA256) return { ok: false, detail: `the token stamps a ${contents.hashAlgorithm} digest; expected SHA-256` };
    if (!sameBytes(contents.messageImprint, digest)) return { ok: false, detail: `the token stamps ${Buffer.from(contents.messageImprint).toString('hex')}; expected the checkpoint digest ${Buffer.from(digest).toString('hex')}` };

    const [, content] = childrenOf(fromDer(token));
    const signedData = childrenOf(childrenOf(content)[0]);
    const [, eContent] = childrenOf(signedData[2]);
    const tstInfo = primitiveBytes(childrenOf(eContent)[0]);
    const signerInfo = childrenOf(childrenOf(signedData[signedData.length - 1])[0]);
    const signedAttributes = contextChild(signerInfo, 0);
    if (!signedAttributes) return { ok: false, detail: 'the token has no signed attributes' };
    const messageDigest = childrenOf(signedAttributes).find((attribute) => oidOf(childrenOf(attribute)[0]) === OID_MESSAGE_DIGEST);
    if (!messageDigest) return { ok: false, detail: 'the token has no messageDigest attribute' };
    const stated = primitiveBytes(childrenOf(childrenOf(messageDigest)[1])[0]);
    if (!sameBytes(stated, createHash('sha256').update(tstInfo).digest())) return { ok: false, detail: 'the messageDigest attribute does not match the TSTInfo: the token was altered' };

    // The signature covers the attributes DER-encoded as a SET OF: the [0] IMPLICIT tag becomes 0x31.
    const signedBytes = Buffer.from(toDer(signedAttributes));
    signedBytes[0] = 0x31;
    const signature = primitiveBytes(signerInfo[signerInfo.length - 1]);
    const [tsaDer] = contents.certificates;
    if (!tsaDer) return { ok: false, detail: 'the token carries no TSA certificate' };
    const tsa = new X509Certificate(tsaDer);
    if (!createVerify('sha256').update(signedBytes).verify(tsa.publicKey, Buffer.from(signature))) return { ok: false, detail: "the TSA's signature on the token does not verify" };
    if (!(tsa.keyUsage ?? []).includes(OID_KP_TIME_STAMPING)) return { ok: false, detail: `the token is signed by '${tsa.subject.replace(/\n/g, ', ')}', which is not a timestamping certificate` };
    const path = certificatePath(tsaDer, pool, root, contents.genTime);
    if (!path.ok) return { ok: false, detail: `the TSA certificate: ${path.detail}` };
    return { ok: true, genTime: contents.genTime, tsa: /CN=([^\n]+)/.exec(tsa.subject)?.[1] ?? tsa.subject };
  } catch (error) {
    return { ok: false, detail: `the token is not a readable RFC 3161 TimeStampToken (${(error as Error).message})` };
  }
}
