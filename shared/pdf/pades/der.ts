/**
 * The few DER encodings and one TLV reader that CMS assembly needs, over Uint8Array.
 *
 * Why by hand rather than forge.asn1 (DESIGN §8 allows either): CMS embeds foreign DER verbatim —
 * the certificate's issuer Name, the certificates themselves and the TSA's TimeStampToken. Any of
 * those re-encoded by a parser (forge reads into binary strings and writes them back) could
 * change a byte and break a signature we do not own; concatenating exact bytes cannot. It also
 * keeps signing free of string conversions, which matters on the hot path.
 */

import { concatBytes } from '../bytes.ts';

/** Tag bytes used here (universal, and context-specific constructed). */
export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag number `n`, constructed (explicit or implicit over a constructed type). */
export const contextTag = (n: number): number => 0xa0 | n;

const lengthBytes = (length: number): Uint8Array => {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
};

/** One TLV whose content is the concatenation of `content`. */
export const tlv = (tag: number, ...content: readonly Uint8Array[]): Uint8Array => {
  const body = concatBytes(...content);
  return concatBytes(Uint8Array.of(tag), lengthBytes(body.length), body);
};

export const sequence = (...items: readonly Uint8Array[]): Uint8Array => tlv(TAG.SEQUENCE, ...items);

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
};

/** DER SET OF: elements sorted by their encodings (X.690 §11.6), which verifiers re-create before checking signed attributes. */
export const setOf = (...items: readonly Uint8Array[]): Uint8Array => tlv(TAG.SET, ...[...items].sort(compareBytes));

/** The same TLV under another tag: IMPLICIT tagging of an already encoded value (e.g. signedAttrs as [0]). */
export const retag = (der: Uint8Array, tag: number): Uint8Array => {
  const out = der.slice();
  out[0] = tag;
  return out;
};

export const octetString = (bytes: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, bytes);

/** A small non-negative INTEGER. */
export const smallInteger = (value: number): Uint8Array => {
  if (!Number.isInteger(value) || value < 0 || value > 0x7f) throw new RangeError(`received ${value}; expected an integer in 0..127`);
  return tlv(TAG.INTEGER, Uint8Array.of(value));
};

/** OBJECT IDENTIFIER from dotted notation. */
export const oid = (dotted: string): Uint8Array => {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new RangeError(`received OID '${dotted}'; expected dotted decimal arcs`);
  const bytes: number[] = [];
  const base128 = (value: number) => {
    const group: number[] = [value & 0x7f];
    for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) group.unshift(0x80 | (rest & 0x7f));
    bytes.push(...group);
  };
  base128(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) base128(arc);
  return tlv(TAG.OID, Uint8Array.from(bytes));
};

/** AlgorithmIdentifier with absent parameters (RFC 5754 for SHA-2, RFC 5758 for ECDSA). */
export const algorithm = (dotted: string): Uint8Array => sequence(oid(dotted));

/** A decoded TLV header: where its content starts and ends inside the buffer it was read from. */
export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

/** Raised when bytes that must be DER are not (truncated, indefinite length, wrong tag). */
export class MalformedDerError extends Error {
  override readonly name = 'MalformedDerError';
}

/** Reads the TLV at `offset` (definite lengths only, as DER requires). */
export const readTlv = (bytes: Uint8Array, offset: number, expectedTag?: number): Tlv => {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined) throw new MalformedDerError(`received ${bytes.length} bytes; expected a TLV at offset ${offset}`);
  if (expectedTag !== undefined && tag !== expectedTag) {
    throw new MalformedDerError(`received tag 0x${tag.toString(16)} at offset ${offset}; expected 0x${expectedTag.toString(16)}`);
  }
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new MalformedDerError(`received length form 0x${first.toString(16)} at offset ${offset}; expected a definite length of at most 4 bytes`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[contentStart + i] ?? Number.NaN);
    contentStart += count;
  }
  const end = contentStart + length;
  if (!Number.isFinite(length) || end > bytes.length) throw new MalformedDerError(`received a TLV at offset ${offset} claiming ${length} content bytes; only ${bytes.length - contentStart} remain`);
  return { tag, start: offset, contentStart, end };
};

/** The TLVs directly inside a constructed TLV, in order. */
export const children = (bytes: Uint8Array, parent: Tlv): Tlv[] => {
  const out: Tlv[] = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const child = readTlv(bytes, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
};
