/**
 * Reading DER for verification: the TLV reader of the signer (shared/pdf/pades/der.ts, pure
 * Uint8Array code) plus what a verifier needs on top — OIDs, times, integers, exact slices.
 * Everything throws MalformedDerError on bad input; the verifier turns that into a verdict.
 */
import { children, MalformedDerError, readTlv, TAG, type Tlv } from '../pades/der.ts';
import { latin1, toHex } from '../bytes.ts';

export { MalformedDerError, readTlv, TAG, type Tlv };

/** Tags beyond the universal ones of pades/der.ts. */
export const TAGS = {
  BOOLEAN: 0x01,
  BIT_STRING: 0x03,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  BMP_STRING: 0x1e,
} as const;

/** The one TLV that spans all of `bytes` (trailing bytes are refused: DER has one encoding). */
export const readWhole = (bytes: Uint8Array, expectedTag?: number): Tlv => {
  const tlv = readTlv(bytes, 0, expectedTag);
  if (tlv.end !== bytes.length) throw new MalformedDerError(`received ${bytes.length - tlv.end} bytes after the DER value; expected none`);
  return tlv;
};

/** The children of a constructed TLV, checking the parent's tag when given. */
export const childrenOf = (bytes: Uint8Array, parent: Tlv, expectedTag?: number): Tlv[] => {
  if (expectedTag !== undefined && parent.tag !== expectedTag) {
    throw new MalformedDerError(`received tag 0x${parent.tag.toString(16)} at offset ${parent.start}; expected 0x${expectedTag.toString(16)}`);
  }
  if ((parent.tag & 0x20) === 0) throw new MalformedDerError(`received primitive tag 0x${parent.tag.toString(16)} at offset ${parent.start}; expected a constructed value`);
  return children(bytes, parent);
};

export const expectTag = (tlv: Tlv | undefined, tag: number, what: string): Tlv => {
  if (!tlv || tlv.tag !== tag) {
    throw new MalformedDerError(`received ${tlv ? `tag 0x${tlv.tag.toString(16)}` : 'nothing'} for ${what}; expected tag 0x${tag.toString(16)}`);
  }
  return tlv;
};

/** The whole TLV (tag and length included). */
export const encodingOf = (bytes: Uint8Array, tlv: Tlv): Uint8Array => bytes.subarray(tlv.start, tlv.end);

/** The content octets. */
export const contentOf = (bytes: Uint8Array, tlv: Tlv): Uint8Array => bytes.subarray(tlv.contentStart, tlv.end);

/** Dotted decimal of an OBJECT IDENTIFIER. */
export const readOid = (bytes: Uint8Array, tlv: Tlv): string => {
  expectTag(tlv, TAG.OID, 'an OBJECT IDENTIFIER');
  const content = contentOf(bytes, tlv);
  if (content.length === 0 || content.length > 64) throw new MalformedDerError(`received an OID of ${content.length} bytes; expected 1..64`);
  // Arcs can exceed 2^53 (2.25.<UUID> arcs are 128-bit, as hanbeon's own arc): BigInt.
  const arcs: bigint[] = [];
  let value = 0n;
  let pending = false;
  for (const byte of content) {
    if (!pending && byte === 0x80) throw new MalformedDerError('received an OID arc with a leading 0x80; expected minimal base-128');
    value = (value << 7n) | BigInt(byte & 0x7f);
    pending = (byte & 0x80) !== 0;
    if (!pending) {
      arcs.push(value);
      value = 0n;
    }
  }
  if (pending) throw new MalformedDerError('received an OID whose last arc is unterminated; expected complete base-128 arcs');
  const first = arcs.shift()!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
};

const TIME = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/;

/** UTCTime (RFC 5280: years 1950–2049) or GeneralizedTime (fractional seconds allowed, as RFC 3161 genTime has). */
export const readTime = (bytes: Uint8Array, tlv: Tlv): Date => {
  if (tlv.tag !== TAG.UTC_TIME && tlv.tag !== TAG.GENERALIZED_TIME) throw new MalformedDerError(`received tag 0x${tlv.tag.toString(16)}; expected UTCTime or GeneralizedTime`);
  const text = latin1(bytes, tlv.contentStart, tlv.end);
  const match = TIME.exec(text);
  const utc = tlv.tag === TAG.UTC_TIME;
  if (!match || utc !== (match[1]!.length === 2) || (utc && match[7] !== undefined)) throw new MalformedDerError(`received time '${text.slice(0, 32)}'; expected ${utc ? 'YYMMDDHHMMSSZ' : 'YYYYMMDDHHMMSS[.f]Z'}`);
  const short = Number(match[1]);
  const year = utc ? (short >= 50 ? 1900 + short : 2000 + short) : short;
  const [month, day, hour, minute, second] = [2, 3, 4, 5, 6].map((i) => Number(match[i]));
  const millis = match[7] ? Math.floor(Number(`0.${match[7]}`) * 1000) : 0;
  const date = new Date(Date.UTC(year, month! - 1, day!, hour!, minute!, second!, millis));
  if (date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day! || hour! > 23 || minute! > 59 || second! > 59) {
    throw new MalformedDerError(`received time '${text}' that is not a calendar time; expected a valid date`);
  }
  return date;
};

/** An INTEGER's content as upper-case hex without leading zero bytes (the report's serial number form). */
export const integerHex = (bytes: Uint8Array, tlv: Tlv): string => {
  expectTag(tlv, TAG.INTEGER, 'an INTEGER');
  const content = contentOf(bytes, tlv);
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  return toHex(content.subarray(start)).toUpperCase();
};

/** A small non-negative INTEGER (versions, path lengths). */
export const smallInteger = (bytes: Uint8Array, tlv: Tlv): number => {
  expectTag(tlv, TAG.INTEGER, 'an INTEGER');
  const content = contentOf(bytes, tlv);
  if (content.length === 0 || content.length > 4 || (content[0]! & 0x80) !== 0) throw new MalformedDerError(`received an INTEGER of ${content.length} bytes; expected a small non-negative one`);
  return content.reduce((value, byte) => value * 256 + byte, 0);
};

/** The bits of a BIT STRING (the unused-bits count must be 0 for keys and signatures). */
export const bitStringBytes = (bytes: Uint8Array, tlv: Tlv): Uint8Array => {
  expectTag(tlv, TAGS.BIT_STRING, 'a BIT STRING');
  const content = contentOf(bytes, tlv);
  if (content.length === 0 || content[0] !== 0) throw new MalformedDerError('received a BIT STRING with unused bits; expected whole bytes');
  return content.subarray(1);
};
