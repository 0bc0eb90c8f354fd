/**
 * Offline verification of signed result PDFs (PAdES) with only the trust anchor: the engine of
 * `hanbeon verify` and of the browser verification page. Browser-safe: nothing under this folder
 * but node-crypto.ts imports `node:` modules or uses Buffer.
 */
export * from './verdict.ts';
export type { VerificationCrypto } from './verification-crypto.ts';
export { createPdfVerifier, type PdfVerifier, type PdfVerifierOptions, type VerifyPdfOptions } from './verifier.ts';
export { readTrustAnchors } from './trust-anchors.ts';
export { PdfFormatError, TrustAnchorError, UnsupportedAlgorithmError } from './errors.ts';
