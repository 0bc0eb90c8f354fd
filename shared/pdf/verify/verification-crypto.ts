/**
 * The port through which the verifier does its cryptography, so the same verifier runs on
 * node:crypto (fast, the CLI) and on @noble/curves with WebCrypto (the browser page).
 */

export interface VerificationCrypto {
  sha256(data: Uint8Array): Promise<Uint8Array>;
  /**
   * Verifies `signature` (as found in the structure: DER ECDSA-Sig-Value, or RSA PKCS#1 v1.5) over `data`
   * with the SPKI key; `signatureAlgorithmOid` e.g. 1.2.840.10045.4.3.2 ecdsa-with-SHA256. Never throws for
   * a bad key or signature (false); rejects with UnsupportedAlgorithmError for an algorithm it cannot check.
   */
  verify(signatureAlgorithmOid: string, spki: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}
