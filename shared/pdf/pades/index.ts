/** PAdES B-LT signing of result PDFs: prepare (with the seal and the DSS), then sign in place. */
export { preparePdfForSigning, DEFAULT_PLACEHOLDER_BYTES, type PrepareOptions, type SealAppearance } from './prepare.ts';
export { signPreparedPdf, type SignOptions, type SignedPdf } from './sign.ts';
export { extractSignature, type ExtractedSignature } from './extract-signature.ts';
export { SealCertificateNotValidError, SignaturePlaceholderError, SignatureTooLargeError } from './errors.ts';
