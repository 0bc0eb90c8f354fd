/**
 * VerificationCrypto for the browser: ECDSA with @noble/curves, digests with WebCrypto
 * (crypto.subtle, also in Node 22). RSA is not implemented here: it rejects with
 * UnsupportedAlgorithmError, which the verifier reports as INDETERMINATE
 * CRYPTO_CONSTRAINTS_FAILURE_NO_POE — never as a failed signature it did not check.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { childrenOf, readOid, readWhole, bitStringBytes, TAG } from './asn1.ts';
import { UnsupportedAlgorithmError } from './errors.ts';
import { OIDS } from './oids.ts';
import type { VerificationCrypto } from './verification-crypto.ts';

const HASHES: Readonly<Record<string, string>> = {
  [OIDS.ecdsaWithSha256]: 'SHA-256',
  [OIDS.ecdsaWithSha384]: 'SHA-384',
  [OIDS.ecdsaWithSha512]: 'SHA-512',
};
const CURVES = { [OIDS.prime256v1]: p256, [OIDS.secp384r1]: p384, [OIDS.secp521r1]: p521 } as const;

const digest = async (algorithm: string, data: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(await globalThis.crypto.subtle.digest(algorithm, data as Uint8Array<ArrayBuffer>));

/** The curve and public point of an EC SubjectPublicKeyInfo; undefined for another key type or bad encoding. */
const ecKeyOf = (spki: Uint8Array): { curve: string; point: Uint8Array } | undefined => {
  try {
    const [algorithm, key] = childrenOf(spki, readWhole(spki, TAG.SEQUENCE));
    const [keyType, parameters] = childrenOf(spki, algorithm!, TAG.SEQUENCE);
    if (readOid(spki, keyType!) !== OIDS.ecPublicKey || parameters?.tag !== TAG.OID) return undefined;
    return { curve: readOid(spki, parameters), point: bitStringBytes(spki, key!) };
  } catch {
    return undefined;
  }
};

/** @noble/curves + WebCrypto: ECDSA over P-256/384/521 with SHA-2; RSA rejects as unsupported. */
export const browserVerificationCrypto: VerificationCrypto = {
  sha256: (data) => digest('SHA-256', data),
  async verify(signatureAlgorithmOid, spki, data, signature) {
    const hash = HASHES[signatureAlgorithmOid];
    if (!hash) throw new UnsupportedAlgorithmError(`received signature algorithm ${signatureAlgorithmOid}; expected ECDSA with SHA-256/384/512 (RSA is not supported in the browser)`);
    const key = ecKeyOf(spki);
    if (!key) return false;
    const curve = CURVES[key.curve as keyof typeof CURVES];
    if (!curve) throw new UnsupportedAlgorithmError(`received an EC key on curve ${key.curve}; expected P-256, P-384 or P-521`);
    const hashed = await digest(hash, data);
    try {
      // lowS off: X.509 and CMS signatures from OpenSSL or KMS may carry a high S, which ECDSA allows.
      return curve.verify(signature, hashed, key.point, { prehash: false, format: 'der', lowS: false });
    } catch {
      return false;
    }
  },
};
