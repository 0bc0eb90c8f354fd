/**
 * The resident registration number (주민등록번호) is the most sensitive identifier a Korean citizen
 * has. When an identity provider vouches for one, the platform keeps only a keyed hash of it
 * (HMAC-SHA256 under a platform secret): enough to bind a seal certificate to the person and to
 * match the same person across petitions, useless to anyone without the key, and never reversible.
 */
import { createHmac } from 'node:crypto';

/** The ID-token claim an identity provider uses to vouch for the resident registration number. */
export const RESIDENT_NUMBER_CLAIM = 'rrn';

const RESIDENT_NUMBER = /^(\d{6})-?(\d{7})$/;

/** The smallest key we accept: 256 bits, as for any HMAC-SHA256 key. */
export const MIN_RESIDENT_NUMBER_KEY_BYTES = 32;

/** Raised when the claim is not a resident registration number; the message never repeats the value. */
export class MalformedResidentNumberError extends Error {
  override readonly name = 'MalformedResidentNumberError';
}

/** HMAC-SHA256 (hex) of the 13 digits of a resident registration number, with or without its hyphen. */
export function keyedResidentNumberHash(key: Uint8Array, residentNumber: string): string {
  if (key.length < MIN_RESIDENT_NUMBER_KEY_BYTES) {
    throw new RangeError(`the resident number key has ${key.length} bytes; expected at least ${MIN_RESIDENT_NUMBER_KEY_BYTES}`);
  }
  const match = RESIDENT_NUMBER.exec(residentNumber);
  if (!match) throw new MalformedResidentNumberError(`expected 13 digits (YYMMDD-NNNNNNN), received ${residentNumber.length} characters of another shape`);
  return createHmac('sha256', key).update(`${match[1]}${match[2]}`).digest('hex');
}
