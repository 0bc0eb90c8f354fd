/**
 * The signature placeholder that preparePdfForSigning writes and signPreparedPdf fills, found by
 * scanning bytes: signing must not re-parse the PDF (slow, and a parser would re-serialize it).
 *
 * Layout inside the signature dictionary, written by pdf-lib in insertion order:
 *   /ByteRange [ 0 /********** /********** /********** ]
 *   /Contents <0000…0000>
 * The ByteRange names are a fixed-width stand-in (42 bytes) for the four numbers, overwritten in
 * place with the same width so that no offset in the file (xref included) moves.
 */
import { SignaturePlaceholderError } from './errors.ts';

/** The PDF name used three times in the ByteRange placeholder array. */
export const BYTE_RANGE_PLACEHOLDER_NAME = '**********';

const encoder = new TextEncoder();
const BYTE_RANGE_MARKER = encoder.encode(`[ 0 /${BYTE_RANGE_PLACEHOLDER_NAME} /${BYTE_RANGE_PLACEHOLDER_NAME} /${BYTE_RANGE_PLACEHOLDER_NAME} ]`);
const CONTENTS_KEY = encoder.encode('/Contents');
const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
const ZERO = 0x30;
const isWhitespace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Where the placeholder lies in a prepared PDF. */
export interface PlaceholderLocation {
  /** Offset of the ByteRange array's '['. */
  readonly byteRangeStart: number;
  /** Width of the ByteRange array, '[' to ']' inclusive. */
  readonly byteRangeWidth: number;
  /** Offset of the '<' opening the /Contents hex string. */
  readonly contentsStart: number;
  /** Offset just past the '>' closing it. */
  readonly contentsEnd: number;
}

/** Finds the one unfilled placeholder of a prepared PDF; throws SignaturePlaceholderError otherwise. */
export const findPlaceholder = (pdf: Uint8Array): PlaceholderLocation => {
  const bytes = asBuffer(pdf);
  const byteRangeStart = bytes.indexOf(BYTE_RANGE_MARKER);
  if (byteRangeStart < 0) {
    throw new SignaturePlaceholderError(`received ${pdf.length} bytes without a ByteRange placeholder; expected a PDF from preparePdfForSigning that is not yet signed`);
  }
  if (bytes.indexOf(BYTE_RANGE_MARKER, byteRangeStart + 1) >= 0) {
    throw new SignaturePlaceholderError('received a PDF with more than one ByteRange placeholder; expected exactly one');
  }
  // /Contents must follow the ByteRange directly (only whitespace between): then it is the same dictionary's.
  let cursor = byteRangeStart + BYTE_RANGE_MARKER.length;
  while (isWhitespace(bytes[cursor])) cursor++;
  const keyFound = bytes.subarray(cursor, cursor + CONTENTS_KEY.length).equals(CONTENTS_KEY);
  cursor += CONTENTS_KEY.length;
  while (isWhitespace(bytes[cursor])) cursor++;
  if (!keyFound || bytes[cursor] !== LESS_THAN) {
    throw new SignaturePlaceholderError(`received a ByteRange placeholder at offset ${byteRangeStart} not followed by /Contents <…>; expected the layout preparePdfForSigning writes`);
  }
  const contentsStart = cursor;
  const close = bytes.indexOf(GREATER_THAN, contentsStart + 1);
  if (close < 0) throw new SignaturePlaceholderError(`received a /Contents string at offset ${contentsStart} that never closes; expected <…>`);
  for (let i = contentsStart + 1; i < close; i++) {
    if (bytes[i] !== ZERO) throw new SignaturePlaceholderError(`received a /Contents placeholder with byte 0x${bytes[i]!.toString(16)} at offset ${i}; expected only '0' digits`);
  }
  return { byteRangeStart, byteRangeWidth: BYTE_RANGE_MARKER.length, contentsStart, contentsEnd: close + 1 };
};
