/**
 * The Signer port (DESIGN §6). Its shape is KMS's: sign a SHA-256 digest, read the public key.
 * Adapters: `local-key-store-signer.ts` (encrypted PKCS#8 files) and `kms-signer.ts` (AWS KMS,
 * `MessageType: DIGEST`). Every key is ECDSA P-256 (ECC_NIST_P256 / ECDSA_SHA_256, ADR 0004), so a
 * signature is always a DER-encoded ECDSA-Sig-Value, exactly what X.509, CRLs and CMS carry.
 */

/** The one signing algorithm of the platform: ECDSA over P-256 with SHA-256. */
export const SIGNING_ALGORITHM = 'ECDSA_SHA_256' as const;

export interface Signer {
  /** A stable identifier of the key (a KMS key ARN, or `local:<name>`), for logs and records. */
  readonly keyId: string;
  /** Signs a 32-byte SHA-256 digest; returns the DER-encoded ECDSA signature. */
  signDigest(digest: Uint8Array): Promise<Uint8Array>;
  /** The public key as DER SubjectPublicKeyInfo. */
  publicKeySpki(): Promise<Uint8Array>;
}

/** Raised when a key cannot be used: absent, wrong passphrase, wrong key spec, disabled in KMS. */
export class SignerUnavailableError extends Error {
  override readonly name = 'SignerUnavailableError';
}
