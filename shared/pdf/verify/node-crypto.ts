/**
 * VerificationCrypto on node:crypto (OpenSSL): the fast adapter for the CLI. The only module of
 * shared/pdf/verify that imports `node:`; the browser takes browser-crypto.ts instead.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { toHex } from '../bytes.ts';
import { UnsupportedAlgorithmError } from './errors.ts';
import { OIDS } from './oids.ts';
import type { VerificationCrypto } from './verification-crypto.ts';

const ALGORITHMS: Readonly<Record<string, { readonly hash: string; readonly keyType: 'ec' | 'rsa' }>> = {
  [OIDS.ecdsaWithSha256]: { hash: 'sha256', keyType: 'ec' },
  [OIDS.ecdsaWithSha384]: { hash: 'sha384', keyType: 'ec' },
  [OIDS.ecdsaWithSha512]: { hash: 'sha512', keyType: 'ec' },
  [OIDS.sha256WithRsa]: { hash: 'sha256', keyType: 'rsa' },
  [OIDS.sha384WithRsa]: { hash: 'sha384', keyType: 'rsa' },
  [OIDS.sha512WithRsa]: { hash: 'sha512', keyType: 'rsa' },
};

// A verifier checks the same few CA keys over and over: parse each SPKI once (bounded, cleared when full).
const MAX_CACHED_KEYS = 1024;
const keys = new Map<string, KeyObject | null>();

const keyOf = (spki: Uint8Array): KeyObject | null => {
  const id = toHex(spki);
  let key = keys.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength), format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    keys.set(id, key);
  }
  return key;
};

/** node:crypto: ECDSA (P-256/384/521) and RSA PKCS#1 v1.5 with SHA-2. */
export const nodeVerificationCrypto: VerificationCrypto = {
  async sha256(data) {
    return new Uint8Array(createHash('sha256').update(data).digest());
  },
  async verify(signatureAlgorithmOid, spki, data, signature) {
    const algorithm = ALGORITHMS[signatureAlgorithmOid];
    if (!algorithm) throw new UnsupportedAlgorithmError(`received signature algorithm ${signatureAlgorithmOid}; expected ECDSA or RSA PKCS#1 v1.5 with SHA-256/384/512`);
    const key = keyOf(spki);
    if (!key || key.asymmetricKeyType !== algorithm.keyType) return false;
    try {
      return verify(algorithm.hash, data, algorithm.keyType === 'ec' ? { key, dsaEncoding: 'der' } : key, signature);
    } catch {
      return false;
    }
  },
};
