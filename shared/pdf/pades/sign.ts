/**
 * Step two of PAdES signing: fill the placeholder of a prepared PDF with a PAdES B-T signature
 * (CMS detached, signing-certificate-v2, signature timestamp). Works on bytes only, no PDF parser.
 */
import { createHash } from 'node:crypto';
import type { SealingIdentity, TimestampAuthority } from '../../seal/sealing-identity.ts';
import { readCertificateFields } from './certificate-fields.ts';
import { attribute, createSignedData, OID } from './cms.ts';
import { SealCertificateNotValidError, SignatureTooLargeError } from './errors.ts';
import { findPlaceholder } from './placeholder.ts';

export interface SignOptions {
  readonly identity: SealingIdentity;
  readonly timestampAuthority: TimestampAuthority;
  /** The signing time written as /M at preparation; the seal certificate must be valid then. */
  readonly signingTime: Date;
}

export interface SignedPdf {
  readonly pdf: Uint8Array;
  /** Hex SHA-256 of `pdf`, for the store and the audit trail. */
  readonly sha256: string;
  /** The DER CMS written into /Contents (without padding). */
  readonly cms: Uint8Array;
}

const sha256 = (...parts: readonly Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const assertValidAt = (certificate: Uint8Array, signingTime: Date): void => {
  const { notBefore, notAfter } = readCertificateFields(certificate);
  if (signingTime < notBefore || signingTime > notAfter) {
    throw new SealCertificateNotValidError(
      `received signing time ${signingTime.toISOString()}; expected a time within the seal certificate's validity ${notBefore.toISOString()}..${notAfter.toISOString()}`,
    );
  }
};

/** Signs a PDF from preparePdfForSigning: fills /ByteRange and /Contents in place and returns the final bytes. */
export const signPreparedPdf = async (prepared: Uint8Array, options: SignOptions): Promise<SignedPdf> => {
  const { identity, timestampAuthority, signingTime } = options;
  assertValidAt(identity.certificate, signingTime);
  const { byteRangeStart, byteRangeWidth, contentsStart, contentsEnd } = findPlaceholder(prepared);

  const pdf = new Uint8Array(prepared);
  const out = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  // The signature covers everything but the /Contents string, its '<' and '>' included (ISO 32000-1 §12.8.1).
  const byteRange = `[0 ${contentsStart} ${contentsEnd} ${pdf.length - contentsEnd}]`;
  out.write(byteRange.padEnd(byteRangeWidth, ' '), byteRangeStart, 'latin1');

  const contentDigest = sha256(out.subarray(0, contentsStart), out.subarray(contentsEnd));
  const cms = await createSignedData({
    signer: identity.signer,
    certificate: identity.certificate,
    chain: identity.chain,
    contentDigest,
    // PAdES B-T: the timestamp covers the signature value (CAdES signature-time-stamp).
    unsignedAttributes: async (signatureValue) => [attribute(OID.signatureTimeStampToken, await timestampAuthority.timestamp(sha256(signatureValue)))],
  });

  const capacity = contentsEnd - contentsStart - 2;
  const hex = Buffer.from(cms.buffer, cms.byteOffset, cms.byteLength).toString('hex');
  if (hex.length > capacity) {
    throw new SignatureTooLargeError(`received a CMS signature of ${cms.length} bytes; expected at most ${capacity / 2} (the placeholder size): prepare with a larger placeholderBytes`);
  }
  out.write(hex, contentsStart + 1, 'latin1');
  return { pdf, sha256: sha256(pdf).toString('hex'), cms };
};
