/**
 * PDF objects (ISO 32000-1 §7.3) and a parser for them over the file's bytes. Only what a
 * verifier reads: no content streams are interpreted. Bounded against hostile input: nesting
 * depth, and every loop advances through the bytes, so a parse ends within the file's length.
 */
import { PdfFormatError } from './errors.ts';

export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfString {
  constructor(readonly bytes: Uint8Array) {}
}

export class PdfRef {
  constructor(readonly objectNumber: number, readonly generation: number) {}
}

export class PdfDict {
  constructor(readonly entries: ReadonlyMap<string, PdfValue>) {}
  get(key: string): PdfValue | undefined {
    return this.entries.get(key);
  }
  /** The value of `key` when it is a name, e.g. /Type. */
  name(key: string): string | undefined {
    const value = this.entries.get(key);
    return value instanceof PdfName ? value.name : undefined;
  }
}

export class PdfStream {
  /** `data` is the raw (still encoded) stream content. */
  constructor(readonly dict: PdfDict, readonly data: Uint8Array) {}
}

export type PdfValue = null | boolean | number | PdfName | PdfString | PdfRef | PdfDict | PdfStream | readonly PdfValue[];

const MAX_DEPTH = 64;

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
export const isWhitespace = (byte: number | undefined): boolean => byte !== undefined && WHITESPACE.has(byte);
const isRegular = (byte: number | undefined): boolean => byte !== undefined && !WHITESPACE.has(byte) && !DELIMITERS.has(byte);
const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;

const HEX_VALUES = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < 16; i++) table['0123456789abcdef'.charCodeAt(i)] = table['0123456789ABCDEF'.charCodeAt(i)] = i;
  return table;
})();
const hexValue = (byte: number): number => HEX_VALUES[byte] ?? -1;

/** A cursor over the bytes of a PDF that reads tokens and objects. */
export class PdfParser {
  constructor(readonly bytes: Uint8Array, public position = 0) {}

  fail(expected: string): never {
    throw new PdfFormatError(`received unexpected bytes at offset ${this.position}; expected ${expected}`);
  }

  /** Skips whitespace and comments. */
  skipSpace(): void {
    const { bytes } = this;
    for (;;) {
      while (isWhitespace(bytes[this.position])) this.position++;
      if (bytes[this.position] !== 0x25) return;
      while (this.position < bytes.length && bytes[this.position] !== 0x0a && bytes[this.position] !== 0x0d) this.position++;
    }
  }

  /** Reads a keyword or number token (regular characters), without consuming what follows. */
  regularToken(): string {
    const start = this.position;
    while (isRegular(this.bytes[this.position])) this.position++;
    let out = '';
    for (let i = start; i < this.position && i < start + 64; i++) out += String.fromCharCode(this.bytes[i]!);
    return out;
  }

  /** Whether the next token is `keyword`; consumes it if so. */
  keyword(keyword: string): boolean {
    this.skipSpace();
    const start = this.position;
    if (this.regularToken() === keyword) return true;
    this.position = start;
    return false;
  }

  /** A non-negative integer token, or undefined (position unchanged). */
  unsignedInteger(): number | undefined {
    this.skipSpace();
    const start = this.position;
    while (isDigit(this.bytes[this.position])) this.position++;
    if (this.position === start || this.position - start > 15 || isRegular(this.bytes[this.position])) {
      this.position = start;
      return undefined;
    }
    let value = 0;
    for (let i = start; i < this.position; i++) value = value * 10 + this.bytes[i]! - 0x30;
    return value;
  }

  /** Any PDF value; `depth` bounds nesting. */
  value(depth = 0): PdfValue {
    if (depth > MAX_DEPTH) this.fail(`nesting of at most ${MAX_DEPTH} levels`);
    this.skipSpace();
    const { bytes } = this;
    const byte = bytes[this.position];
    if (byte === undefined) this.fail('a value before the end of the file');
    if (byte === 0x2f) return this.name();
    if (byte === 0x28) return this.literalString();
    if (byte === 0x3c) return bytes[this.position + 1] === 0x3c ? this.dictionary(depth) : this.hexString();
    if (byte === 0x5b) return this.array(depth);
    if (isDigit(byte) || byte === 0x2b || byte === 0x2d || byte === 0x2e) return this.numberOrRef();
    const token = this.regularToken();
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token === 'null') return null;
    return this.fail(`a value, not '${token || String.fromCharCode(byte)}'`);
  }

  private name(): PdfName {
    const { bytes } = this;
    this.position++; // '/'
    let out = '';
    while (isRegular(bytes[this.position])) {
      const byte = bytes[this.position]!;
      if (byte === 0x23 && hexValue(bytes[this.position + 1] ?? 0) >= 0 && hexValue(bytes[this.position + 2] ?? 0) >= 0) {
        out += String.fromCharCode(hexValue(bytes[this.position + 1]!) * 16 + hexValue(bytes[this.position + 2]!));
        this.position += 3;
      } else {
        out += String.fromCharCode(byte);
        this.position++;
      }
      if (out.length > 256) this.fail('a name of at most 256 characters');
    }
    return new PdfName(out);
  }

  private literalString(): PdfString {
    const { bytes } = this;
    this.position++; // '('
    const out: number[] = [];
    let nesting = 1;
    for (;;) {
      const byte = bytes[this.position++];
      if (byte === undefined) this.fail("')' closing the string");
      if (byte === 0x28) nesting++;
      else if (byte === 0x29 && --nesting === 0) break;
      if (byte !== 0x5c) {
        out.push(byte);
        continue;
      }
      const next = bytes[this.position++];
      if (next === undefined) this.fail('an escape sequence');
      const simple: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
      if (simple[next] !== undefined) out.push(simple[next]);
      else if (next >= 0x30 && next <= 0x37) {
        let code = next - 0x30;
        for (let i = 0; i < 2 && bytes[this.position]! >= 0x30 && bytes[this.position]! <= 0x37; i++) code = code * 8 + bytes[this.position++]! - 0x30;
        out.push(code & 0xff);
      } else if (next === 0x0d) {
        if (bytes[this.position] === 0x0a) this.position++;
      } else if (next !== 0x0a) out.push(next);
    }
    return new PdfString(Uint8Array.from(out));
  }

  private hexString(): PdfString {
    const { bytes } = this;
    this.position++; // '<'
    const close = bytes.indexOf(0x3e, this.position);
    if (close < 0) this.fail("'>' closing the hex string");
    const out = new Uint8Array(Math.ceil((close - this.position) / 2));
    let count = 0;
    let high = -1;
    for (let i = this.position; i < close; i++) {
      const byte = bytes[i]!;
      if (WHITESPACE.has(byte)) continue;
      const value = hexValue(byte);
      if (value < 0) {
        this.position = i;
        this.fail('hexadecimal digits');
      }
      if (high < 0) high = value;
      else {
        out[count++] = high * 16 + value;
        high = -1;
      }
    }
    if (high >= 0) out[count++] = high * 16;
    this.position = close + 1;
    return new PdfString(out.subarray(0, count));
  }

  private array(depth: number): PdfValue[] {
    this.position++; // '['
    const items: PdfValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.bytes[this.position] === 0x5d) {
        this.position++;
        return items;
      }
      items.push(this.value(depth + 1));
    }
  }

  private dictionary(depth: number): PdfDict {
    this.position += 2; // '<<'
    const entries = new Map<string, PdfValue>();
    for (;;) {
      this.skipSpace();
      const byte = this.bytes[this.position];
      if (byte === 0x3e && this.bytes[this.position + 1] === 0x3e) {
        this.position += 2;
        return new PdfDict(entries);
      }
      if (byte !== 0x2f) this.fail("a name key or '>>'");
      const key = this.name().name;
      const value = this.value(depth + 1);
      // ISO 32000-1 §7.3.7: a null value is the same as an absent entry.
      if (value !== null && !entries.has(key)) entries.set(key, value);
    }
  }

  private numberOrRef(): number | PdfRef {
    const start = this.position;
    const token = this.regularToken();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(token) || token.length > 32) {
      this.position = start;
      this.fail(`a number, not '${token}'`);
    }
    const value = Number(token);
    if (/^\d+$/.test(token)) {
      // "n g R": look ahead for a generation and R; otherwise the integer stands alone.
      const after = this.position;
      const generation = this.unsignedInteger();
      if (generation !== undefined && this.keyword('R')) return new PdfRef(value, generation);
      this.position = after;
    }
    return value;
  }

  /** `n g obj` at the current position: the object and generation numbers, or undefined. */
  objectHeader(): { objectNumber: number; generation: number } | undefined {
    const start = this.position;
    const objectNumber = this.unsignedInteger();
    const generation = objectNumber === undefined ? undefined : this.unsignedInteger();
    if (objectNumber !== undefined && generation !== undefined && this.keyword('obj')) return { objectNumber, generation };
    this.position = start;
    return undefined;
  }
}

/** Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding read as Latin-1). */
export const textOf = (value: PdfValue | undefined): string | undefined => {
  if (!(value instanceof PdfString)) return undefined;
  const { bytes } = value;
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    let out = '';
    for (let i = 2; i + 1 < bytes.length; i += 2) out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
    return out;
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder().decode(bytes.subarray(3));
  let out = '';
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
};

/** A PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, ISO 32000-1 §7.9.4) as a Date, or undefined. */
export const pdfDateOf = (text: string | undefined): Date | undefined => {
  const match = text === undefined ? null : /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(?:(\d{2})'?(\d{2})?'?)?)?$/.exec(text);
  if (!match) return undefined;
  const [year, month = 1, day = 1, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part)));
  const sign = match[7] === '-' ? -1 : match[7] === '+' ? 1 : 0;
  const offsetMinutes = sign * (Number(match[8] ?? 0) * 60 + Number(match[9] ?? 0));
  const date = new Date(Date.UTC(year!, month - 1, day, hour, minute, second) - offsetMinutes * 60_000);
  return Number.isNaN(date.getTime()) ? undefined : date;
};
