/**
 * zlib/DEFLATE decompression (RFC 1950, RFC 1951) in plain TypeScript, synchronous and bounded.
 *
 * Why not DecompressionStream: it works in Node 22 and browsers alike, but each call is a stream
 * round trip through the thread pool; a result carries four small compressed attachments and that
 * cost more than every signature check of the file together. The files are a few kilobytes, where
 * a table-driven inflater is faster than any native stream set-up. The output bound (`limit`) keeps
 * a deflate bomb from taking memory; every loop consumes input or fails, so it always ends.
 */
import { PdfFormatError } from './errors.ts';

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code: count of codes per length and symbols in code order. */
interface Huffman {
  readonly counts: Uint16Array;
  readonly symbols: Uint16Array;
}

const fail = (what: string): never => {
  throw new PdfFormatError(`received corrupt deflate data (${what}); expected RFC 1951 data`);
};

const buildHuffman = (lengths: Uint8Array): Huffman => {
  const counts = new Uint16Array(16);
  for (const length of lengths) counts[length]!++;
  counts[0] = 0;
  const offsets = new Uint16Array(16);
  for (let i = 1; i < 16; i++) offsets[i] = offsets[i - 1]! + counts[i - 1]!;
  const symbols = new Uint16Array(lengths.length);
  for (let symbol = 0; symbol < lengths.length; symbol++) if (lengths[symbol]) symbols[offsets[lengths[symbol]!]!++] = symbol;
  return { counts, symbols };
};

const FIXED = (() => {
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  return { literals: buildHuffman(lengths), distances: buildHuffman(new Uint8Array(30).fill(5)) };
})();

class BitReader {
  private bit = 0;
  private bitCount = 0;
  constructor(private readonly data: Uint8Array, public position: number) {}

  bits(count: number): number {
    while (this.bitCount < count) {
      if (this.position >= this.data.length) fail('unexpected end');
      this.bit |= this.data[this.position++]! << this.bitCount;
      this.bitCount += 8;
    }
    const value = this.bit & ((1 << count) - 1);
    this.bit >>>= count;
    this.bitCount -= count;
    return value;
  }

  decode(code: Huffman): number {
    let first = 0;
    let index = 0;
    let value = 0;
    for (let length = 1; length < 16; length++) {
      value |= this.bits(1);
      const count = code.counts[length]!;
      if (value - first < count) return code.symbols[index + value - first]!;
      index += count;
      first = (first + count) << 1;
      value <<= 1;
    }
    return fail('no such Huffman code');
  }

  alignToByte(): void {
    this.bit = 0;
    this.bitCount = 0;
  }
}

/** Inflates zlib-wrapped data (what /FlateDecode holds); throws PdfFormatError beyond `limit` bytes or on corrupt data. */
export const inflate = (data: Uint8Array, limit: number): Uint8Array => {
  if (data.length < 2 || (data[0]! & 0x0f) !== 8 || ((data[0]! << 8) | data[1]!) % 31 !== 0 || (data[1]! & 0x20) !== 0) fail('no zlib header');
  let out = new Uint8Array(Math.min(limit, Math.max(1024, data.length * 4)));
  let length = 0;
  const ensure = (extra: number) => {
    if (length + extra > limit) throw new PdfFormatError(`received a compressed stream inflating beyond ${limit} bytes; expected at most that`);
    if (length + extra <= out.length) return;
    const grown = new Uint8Array(Math.min(limit, Math.max(out.length * 2, length + extra)));
    grown.set(out.subarray(0, length));
    out = grown;
  };
  const reader = new BitReader(data, 2);
  let last = 0;
  while (!last) {
    last = reader.bits(1);
    const type = reader.bits(2);
    if (type === 0) {
      reader.alignToByte();
      const at = reader.position;
      if (at + 4 > data.length) fail('truncated stored block');
      const size = data[at]! | (data[at + 1]! << 8);
      if ((size ^ (data[at + 2]! | (data[at + 3]! << 8))) !== 0xffff) fail('stored block length check');
      if (at + 4 + size > data.length) fail('truncated stored block');
      ensure(size);
      out.set(data.subarray(at + 4, at + 4 + size), length);
      length += size;
      reader.position = at + 4 + size;
      continue;
    }
    let literals = FIXED.literals;
    let distances = FIXED.distances;
    if (type === 2) {
      const literalCount = reader.bits(5) + 257;
      const distanceCount = reader.bits(5) + 1;
      const codeLengthCount = reader.bits(4) + 4;
      const codeLengths = new Uint8Array(19);
      for (let i = 0; i < codeLengthCount; i++) codeLengths[CODE_LENGTH_ORDER[i]!] = reader.bits(3);
      const codeLengthCode = buildHuffman(codeLengths);
      const lengths = new Uint8Array(literalCount + distanceCount);
      for (let i = 0; i < lengths.length; ) {
        const symbol = reader.decode(codeLengthCode);
        if (symbol < 16) {
          lengths[i++] = symbol;
          continue;
        }
        const [repeat, value] = symbol === 16 ? [3 + reader.bits(2), i > 0 ? lengths[i - 1]! : fail('repeat without a previous length')] : symbol === 17 ? [3 + reader.bits(3), 0] : [11 + reader.bits(7), 0];
        if (i + repeat > lengths.length) fail('code lengths overflow');
        lengths.fill(value, i, i + repeat);
        i += repeat;
      }
      literals = buildHuffman(lengths.subarray(0, literalCount));
      distances = buildHuffman(lengths.subarray(literalCount));
    } else if (type !== 1) {
      fail('reserved block type');
    }
    for (;;) {
      const symbol = reader.decode(literals);
      if (symbol < 256) {
        ensure(1);
        out[length++] = symbol;
      } else if (symbol === 256) {
        break;
      } else {
        const index = symbol - 257;
        if (index >= 29) fail('bad length symbol');
        const size = LENGTH_BASE[index]! + reader.bits(LENGTH_EXTRA[index]!);
        const distanceSymbol = reader.decode(distances);
        if (distanceSymbol >= 30) fail('bad distance symbol');
        const distance = DISTANCE_BASE[distanceSymbol]! + reader.bits(DISTANCE_EXTRA[distanceSymbol]!);
        if (distance > length) fail('distance before the start');
        ensure(size);
        for (let i = 0; i < size; i++, length++) out[length] = out[length - distance]!;
      }
    }
  }
  return out.slice(0, length);
};
