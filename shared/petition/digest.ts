import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** SHA-256, hex. */
export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * Digest of a JSON value in its RFC 8785 canonical form: the same value hashes the same whatever
 * its key order, which makes it usable as a replay-journal key and an idempotency fingerprint.
 */
export const canonicalDigest = (value: unknown): string => sha256Hex(canonicalize(value) ?? 'undefined');
