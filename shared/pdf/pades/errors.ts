/**
 * Failures of PAdES signing. They are platform faults (a result PDF that cannot be signed), not
 * business outcomes: nothing here should be retried blindly.
 */

/** The prepared PDF has no signature placeholder, more than one, or one that was altered. */
export class SignaturePlaceholderError extends Error {
  override readonly name = 'SignaturePlaceholderError';
}

/** The CMS signature is larger than the /Contents placeholder reserved for it. */
export class SignatureTooLargeError extends Error {
  override readonly name = 'SignatureTooLargeError';
}

/** The seal certificate is not valid at the signing time (not yet valid, or expired). */
export class SealCertificateNotValidError extends Error {
  override readonly name = 'SealCertificateNotValidError';
}
