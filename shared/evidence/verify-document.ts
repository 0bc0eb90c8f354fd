/**
 * Checks an issued document (a compact JWS) against its agency's published keys when it arrives:
 * the signature is the only reason to trust its contents. A stored copy is later trusted through
 * the SHA-256 recorded at that moment (readVerifiedDocument).
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, errors, type JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { IssuerSignatureInvalidError, MalformedEvidenceError } from '../errors.ts';
import type { IssuedDocumentPayload } from './ports.ts';

/** Asymmetric algorithms only: an allowlist keeps out 'none' and HMAC-with-a-public-key confusion. */
export const ISSUER_SIGNATURE_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'];

export const issuedDocumentPayloadSchema = z.strictObject({
  issuer: z.string().min(1),
  documentType: z.string().min(1),
  subject: z.string().min(1),
  documentNumber: z.string().min(1),
  issuedAt: z.iso.datetime({ offset: true }),
  fields: z.record(z.string(), z.unknown()),
});

// Signature part may be empty so that an unsigned ('none') document is reported as a signature problem.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const headerSummary = (raw: string): string => {
  try {
    const { alg, kid } = decodeProtectedHeader(raw);
    return `alg ${String(alg)}, kid ${String(kid)}`;
  } catch {
    return 'an unreadable header';
  }
};

const signatureFailure = (raw: string, keys: JSONWebKeySet, error: unknown): IssuerSignatureInvalidError => {
  const reason = error instanceof errors.JOSEError ? error.code : 'verification error';
  const published = keys.keys.map((k) => `${String(k.kid)}`).join(', ') || 'none';
  return new IssuerSignatureInvalidError(
    `issuer signature does not verify (${reason}): received ${headerSummary(raw)}; expected a signature by a published key (kids: ${published}) with ${ISSUER_SIGNATURE_ALGORITHMS.join('|')}`,
    { cause: error },
  );
};

/** Verifies `raw` with `keys` and returns its payload; throws IssuerSignatureInvalidError or MalformedEvidenceError. */
export const verifyIssuedDocument = async (raw: string, keys: JSONWebKeySet): Promise<IssuedDocumentPayload> => {
  if (!COMPACT_JWS.test(raw)) {
    throw new MalformedEvidenceError(`received ${raw.length} characters that are not a compact JWS; expected header.payload.signature in base64url`);
  }
  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(raw, createLocalJWKSet(keys), { algorithms: ISSUER_SIGNATURE_ALGORITHMS }));
  } catch (error) {
    if (error instanceof errors.JWSInvalid) {
      throw new MalformedEvidenceError(`received a JWS that cannot be parsed (${error.message}); expected a compact JWS`, { cause: error });
    }
    throw signatureFailure(raw, keys, error);
  }

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch (error) {
    throw new MalformedEvidenceError('received a signed payload that is not UTF-8 JSON; expected an issued-document object', { cause: error });
  }
  const parsed = issuedDocumentPayloadSchema.safeParse(json);
  if (!parsed.success) {
    // Issue messages name paths and types, never the values, so no personal data reaches the logs.
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
    throw new MalformedEvidenceError(`received a signed payload that is not an issued document (${issues})`);
  }
  return parsed.data;
};

/**
 * Reads the payload of a stored document whose exact bytes were verified on receipt: the caller
 * has matched them against the SHA-256 recorded at that moment, which binds them to the verified
 * signature. Not re-verifying means a decision does not depend on the agency's *current* keys
 * (a key rotation must not fail a petition whose documents were checked under the old key).
 */
export const readVerifiedDocument = (raw: string): IssuedDocumentPayload => {
  const payload = raw.split('.')[1];
  if (!COMPACT_JWS.test(raw) || payload === undefined) throw new MalformedEvidenceError('stored document is not a compact JWS');
  const parsed = issuedDocumentPayloadSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  if (!parsed.success) throw new MalformedEvidenceError(`stored document payload does not match the issued-document shape: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
};
