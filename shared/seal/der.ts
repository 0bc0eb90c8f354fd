/**
 * DER building and reading blocks for the PKI structures (X.509, CRL, CMS), on top of `forge.asn1`.
 * forge speaks "binary strings"; everything here takes and gives `Uint8Array` so that callers never
 * see that encoding. OIDs are encoded here rather than by forge because forge's encoder works on
 * 32-bit numbers and our private arc (2.25.<uuid>) has a 128-bit component.
 */
import forge from 'node-forge';

const { asn1 } = forge;
const { Class, Type } = asn1;

export type Asn1 = forge.asn1.Asn1;

const binary = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const bytesOf = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'latin1'));

/** SEQUENCE of `items`. */
export const sequence = (...items: Asn1[]): Asn1 => asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);

/** SET OF `items`, sorted by their encodings as DER requires. */
export const setOf = (...items: Asn1[]): Asn1 => {
  const sorted = items.map((item) => ({ item, der: Buffer.from(toDer(item)) })).sort((a, b) => Buffer.compare(a.der, b.der));
  return asn1.create(Class.UNIVERSAL, Type.SET, true, sorted.map((s) => s.item));
};

/** OBJECT IDENTIFIER from its dotted form (components of any size). */
export const oid = (dotted: string): Asn1 => {
  const parts = dotted.split('.').map((p) => BigInt(p));
  const [first = 0n, second = 0n, ...rest] = parts;
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...groups);
  }
  return asn1.create(Class.UNIVERSAL, Type.OID, false, binary(new Uint8Array(out)));
};

/** The dotted form of an OBJECT IDENTIFIER node. */
export const oidOf = (node: Asn1 | undefined): string => {
  const bytes = primitiveBytes(node);
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of bytes) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0n;
    }
  }
  const [head = 0n, ...rest] = arcs;
  const first = head < 80n ? head / 40n : 2n;
  return [first, head - first * 40n, ...rest].join('.');
};

/** A non-negative INTEGER from its big-endian magnitude (a 0x00 is prefixed when the top bit is set). */
export const unsignedInteger = (magnitude: Uint8Array): Asn1 => {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  const trimmed = magnitude.subarray(start);
  const padded = (trimmed[0] ?? 0) & 0x80 ? Uint8Array.of(0, ...trimmed) : trimmed;
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, binary(padded.length ? padded : Uint8Array.of(0)));
};

/** A small non-negative INTEGER. */
export const integer = (value: number | bigint): Asn1 => {
  const hex = BigInt(value).toString(16);
  return unsignedInteger(new Uint8Array(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')));
};

/** An INTEGER node's value as lowercase hex of its magnitude, without leading zero bytes. */
export const integerHex = (node: Asn1 | undefined): string => {
  const hex = Buffer.from(primitiveBytes(node)).toString('hex').replace(/^(00)+(?=.)/, '');
  return hex || '00';
};

/** ENUMERATED (e.g. a CRL reason code). */
export const enumerated = (value: number): Asn1 => asn1.create(Class.UNIVERSAL, Type.ENUMERATED, false, binary(Uint8Array.of(value)));

export const octetString = (bytes: Uint8Array): Asn1 => asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, binary(bytes));

/** BIT STRING of whole bytes (no unused bits). */
export const bitString = (bytes: Uint8Array): Asn1 => asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, `\u0000${binary(bytes)}`);

/** BIT STRING of named bits (KeyUsage style): bit 0 is the most significant bit, trailing zero bits dropped. */
export const namedBits = (bits: readonly number[]): Asn1 => {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unused = 7 - (highest & 7);
  return asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, String.fromCharCode(unused) + binary(bytes));
};

export const boolean = (value: boolean): Asn1 => asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, value ? '\u00ff' : '\u0000');

export const utf8String = (text: string): Asn1 => asn1.create(Class.UNIVERSAL, Type.UTF8, false, forge.util.encodeUtf8(text));

export const printableString = (text: string): Asn1 => asn1.create(Class.UNIVERSAL, Type.PRINTABLESTRING, false, text);

export const ia5String = (text: string): Asn1 => asn1.create(Class.UNIVERSAL, Type.IA5STRING, false, text);

/** The text of a string node (UTF8String, PrintableString, IA5String). */
export const textOf = (node: Asn1 | undefined): string => Buffer.from(primitiveBytes(node)).toString('utf8');

/** [tag] EXPLICIT `inner`. */
export const explicit = (tag: number, inner: Asn1): Asn1 => asn1.create(Class.CONTEXT_SPECIFIC, tag, true, [inner]);

/** [tag] IMPLICIT over a constructed value's items (e.g. SignedData's certificates). */
export const implicitConstructed = (tag: number, items: Asn1[]): Asn1 => asn1.create(Class.CONTEXT_SPECIFIC, tag, true, items);

/** [tag] IMPLICIT over a primitive value's bytes (e.g. a URI GeneralName). */
export const implicitPrimitive = (tag: number, bytes: Uint8Array): Asn1 => asn1.create(Class.CONTEXT_SPECIFIC, tag, false, binary(bytes));

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const compactUtc = (d: Date): string =>
  `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;

/** GeneralizedTime; with `millis`, a fraction of seconds without trailing zeros (DER forbids them). */
export const generalizedTime = (date: Date, { millis = false } = {}): Asn1 => {
  const fraction = millis ? `.${pad(date.getUTCMilliseconds(), 3)}`.replace(/\.?0+$/, '') : '';
  return asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, `${compactUtc(date)}${fraction}Z`);
};

/** X.509 Time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). Seconds precision. */
export const x509Time = (date: Date): Asn1 =>
  date.getUTCFullYear() < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, `${compactUtc(date).slice(2)}Z`)
    : generalizedTime(date);

/** The instant of a UTCTime or GeneralizedTime node. */
export const timeOf = (node: Asn1 | undefined): Date => {
  if (node?.type === Type.UTCTIME) return asn1.utcTimeToDate(node.value as string);
  if (node?.type === Type.GENERALIZEDTIME) return asn1.generalizedTimeToDate(node.value as string);
  throw new DerStructureError(`received ASN.1 type ${String(node?.type)}; expected UTCTime or GeneralizedTime`);
};

/** Embeds an already-encoded DER value (SPKI, Name, certificate) as a node. */
export const preEncoded = (der: Uint8Array): Asn1 => fromDer(der);

export const toDer = (node: Asn1): Uint8Array => bytesOf(asn1.toDer(node).getBytes());

/** Parses exactly one DER value; bit strings are left undecoded so that re-encoding is byte-exact. */
export const fromDer = (der: Uint8Array): Asn1 => {
  try {
    // @types/node-forge declares only the old boolean `strict` argument; forge 1.x takes these options.
    const options = { strict: true, parseAllBytes: true, decodeBitStrings: false } as unknown as boolean;
    return asn1.fromDer(binary(der), options);
  } catch (error) {
    throw new DerStructureError(`received ${der.length} bytes that are not one DER value`, { cause: error });
  }
};

/** The children of a constructed node; throws when `node` is primitive or absent. */
export const childrenOf = (node: Asn1 | undefined): Asn1[] => {
  if (!node || !Array.isArray(node.value)) throw new DerStructureError(`received ${node ? 'a primitive' : 'no'} ASN.1 value; expected a constructed one`);
  return node.value;
};

/** The content bytes of a primitive node (for a BIT STRING, the unused-bits byte is dropped). */
export const primitiveBytes = (node: Asn1 | undefined): Uint8Array => {
  if (!node || typeof node.value !== 'string') throw new DerStructureError(`received ${node ? 'a constructed' : 'no'} ASN.1 value; expected a primitive one`);
  const bytes = bytesOf(node.value);
  return node.type === Type.BITSTRING && node.tagClass === Class.UNIVERSAL ? bytes.subarray(1) : bytes;
};

/** The context-specific child with `tag` among `nodes`, if any. */
export const contextChild = (nodes: readonly Asn1[], tag: number): Asn1 | undefined =>
  nodes.find((n) => n.tagClass === Class.CONTEXT_SPECIFIC && n.type === tag);

/** PEM armour of DER bytes, 64 characters a line. */
export const toPem = (der: Uint8Array, label: string): string =>
  `-----BEGIN ${label}-----\n${(Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

/** DER bytes of the first PEM block labelled `label`. */
export const fromPem = (pem: string, label: string): Uint8Array => {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!match?.[1]) throw new DerStructureError(`received text without a PEM ${label} block; expected -----BEGIN ${label}-----`);
  return new Uint8Array(Buffer.from(match[1].replace(/\s+/g, ''), 'base64'));
};

/** A DER value does not have the structure the reader expected. */
export class DerStructureError extends Error {
  override readonly name = 'DerStructureError';
}
