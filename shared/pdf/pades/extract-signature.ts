/**
 * Reads the last signature of a signed PDF by scanning bytes: its ByteRange, the CMS in /Contents
 * (without the zero padding) and the bytes it signs. For tests and the offline verifier.
 */
import { readTlv, TAG } from './der.ts';
import { SignaturePlaceholderError } from './errors.ts';

export interface ExtractedSignature {
  /** [offset, length, offset, length] as written in /ByteRange. */
  readonly byteRange: readonly [number, number, number, number];
  /** The DER CMS ContentInfo, padding removed. */
  readonly cms: Uint8Array;
  /** The two ranges concatenated: exactly what the signature's message digest covers. */
  readonly signedContent: Uint8Array;
  /**
   * Whether everything after the CMS inside /Contents is zero padding. Those bytes are outside the
   * signed ranges, so a change there leaves the signature valid; a verifier should still report the
   * document as not entirely signed (pdfsig does), because unsigned bytes could carry content.
   */
  readonly paddingIsZeros: boolean;
}

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

/** Extracts the last signature's ByteRange, CMS and signed content; throws SignaturePlaceholderError if there is none. */
export const extractSignature = (pdf: Uint8Array): ExtractedSignature => {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const matches = [...text.matchAll(BYTE_RANGE)];
  const last = matches.at(-1);
  if (!last) throw new SignaturePlaceholderError(`received ${pdf.length} bytes without a filled /ByteRange; expected a signed PDF`);
  const byteRange = [Number(last[1]), Number(last[2]), Number(last[3]), Number(last[4])] as const;
  const [start, firstLength, secondStart, secondLength] = byteRange;
  if (start !== 0 || secondStart <= firstLength || secondStart + secondLength > pdf.length || pdf[firstLength] !== 0x3c || pdf[secondStart - 1] !== 0x3e) {
    throw new SignaturePlaceholderError(`received /ByteRange [${byteRange.join(' ')}] in a ${pdf.length}-byte file; expected [0 a b c] around a <…> string inside the file`);
  }
  const hex = text.slice(firstLength + 1, secondStart - 1);
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw new SignaturePlaceholderError('received a /Contents string that is not even-length hex; expected a hex-encoded CMS');
  const padded = Buffer.from(hex, 'hex');
  const cms = padded.subarray(0, readTlv(padded, 0, TAG.SEQUENCE).end);
  const paddingIsZeros = padded.subarray(cms.length).every((byte) => byte === 0);
  const signedContent = Buffer.concat([pdf.subarray(0, firstLength), pdf.subarray(secondStart, secondStart + secondLength)]);
  return { byteRange, cms: new Uint8Array(cms), signedContent: new Uint8Array(signedContent), paddingIsZeros };
};
