/**
 * Checks one checkpoint offline: its digest is that of its statement, it is signed by the platform
 * seal (a CA certificate with digitalSignature, chaining to the trusted root — an agency's seal or
 * the TSA cannot pass for it), and an RFC 3161 timestamp stamps the same digest.
 */
import { createVerify, X509Certificate } from 'node:crypto';
import { readCertificate } from '../seal/certificate.ts';
import { OID_KEY_USAGE } from '../seal/oids.ts';
import { checkpointDigest, checkpointMessage, type CheckpointStatement } from './chain.ts';
import { certificatePath, commonNameOf } from './certificate-path.ts';
import { checkTimestampToken } from './timestamp-check.ts';

/** A checkpoint with its certificates resolved to DER. */
export interface CheckpointEvidence extends CheckpointStatement {
  digest: string;
  signature: Uint8Array;
  certificate: Uint8Array;
  timestampToken: Uint8Array;
}

export type CheckpointCheck = { ok: true; signedBy: string; timestampTime: string; tsa: string } | { ok: false; detail: string };

/** digitalSignature is bit 0 of KeyUsage: the first content byte's high bit. */
const allowsDigitalSignature = (certificate: Uint8Array): boolean => {
  const extension = readCertificate(certificate).extensions.find((e) => e.id === OID_KEY_USAGE);
  // value: BIT STRING → 03 len unused first-byte …
  return extension !== undefined && extension.value.length >= 4 && (extension.value[3]! & 0x80) !== 0;
};

/** Checks a checkpoint's digest, signature, signer and timestamp against `root`, with `pool` as intermediates. */
export function checkCheckpoint(checkpoint: CheckpointEvidence, pool: readonly Uint8Array[], root: Uint8Array): CheckpointCheck {
  const statement = { seq: checkpoint.seq, hash: checkpoint.hash, at: checkpoint.at };
  const digest = checkpointDigest(statement);
  if (Buffer.from(digest).toString('hex') !== checkpoint.digest) return { ok: false, detail: `its digest ${checkpoint.digest} is not that of its statement (seq ${statement.seq}, hash ${statement.hash}, at ${statement.at})` };
  let signer: X509Certificate;
  try {
    signer = new X509Certificate(checkpoint.certificate);
  } catch (error) {
    return { ok: false, detail: `its signer certificate cannot be read (${(error as Error).message})` };
  }
  // The digest is SHA-256 of the canonical statement, so a verifier that hashes the statement checks the same signature.
  if (!createVerify('sha256').update(checkpointMessage(statement)).verify(signer.publicKey, Buffer.from(checkpoint.signature))) {
    return { ok: false, detail: `its signature does not verify with the key of '${commonNameOf(checkpoint.certificate)}'` };
  }
  if (!signer.ca || !allowsDigitalSignature(checkpoint.certificate)) {
    return { ok: false, detail: `it is signed by '${commonNameOf(checkpoint.certificate)}', which is not the platform seal (a CA certificate allowed to sign)` };
  }
  const timestamp = checkTimestampToken(checkpoint.timestampToken, digest, pool, root);
  if (!timestamp.ok) return { ok: false, detail: `its timestamp: ${timestamp.detail}` };
  const path = certificatePath(checkpoint.certificate, pool, root, timestamp.genTime);
  if (!path.ok) return { ok: false, detail: `its signer: ${path.detail}` };
  return { ok: true, signedBy: commonNameOf(checkpoint.certificate), timestampTime: timestamp.genTime.toISOString(), tsa: timestamp.tsa };
}
