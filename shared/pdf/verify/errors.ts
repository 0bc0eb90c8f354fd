/** Errors of the offline verifier. `verify` never lets them out: each becomes a verdict. */

/** A VerificationCrypto cannot check this algorithm (e.g. RSA in the browser): the result is INDETERMINATE, not false. */
export class UnsupportedAlgorithmError extends Error {
  override readonly name = 'UnsupportedAlgorithmError';
}

/** The bytes are not a PDF this verifier can read (no xref, a broken object, a hostile size). */
export class PdfFormatError extends Error {
  override readonly name = 'PdfFormatError';
}

/** The trust anchors given are not certificates (readTrustAnchors, createPdfVerifier). */
export class TrustAnchorError extends Error {
  override readonly name = 'TrustAnchorError';
}
