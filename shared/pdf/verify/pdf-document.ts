/**
 * A lazy PDF reader for verification: startxref → cross-reference tables or streams (following
 * /Prev) → only the objects asked for. pdf-lib's PDFDocument.load parses every object of the file,
 * which costs more than the whole verification; this reads the twenty or so objects a signature
 * check needs.
 *
 * A file whose cross-reference data is missing or wrong is not refused: like most readers, we
 * rebuild the object index by scanning for `n g obj` headers (and do the same for any single
 * object whose xref offset does not point at its header). The verdict does not depend on the
 * xref — what is signed is the bytes of the ByteRange — so recovery only decides what we can find.
 */
import { PdfFormatError } from './errors.ts';
import { decodeStreamData } from './stream-filters.ts';
import { PdfDict, PdfParser, PdfRef, PdfStream, type PdfValue } from './pdf-objects.ts';

export type XrefEntry =
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'compressed'; readonly stream: number; readonly index: number }
  | { readonly kind: 'free' };

/** Bounds against hostile files. */
const LIMITS = {
  /** Revisions followed through /Prev. */
  xrefSections: 64,
  /** References followed in a row (a → b → c). */
  referenceChain: 16,
  /** Decoded size of an xref or object stream. */
  structureStreamBytes: 32 * 1024 * 1024,
  /** Objects in one object stream. */
  objectsPerStream: 100_000,
  /** Objects scanned when recovering. */
  recoveredObjects: 200_000,
} as const;

const encoder = new TextEncoder();
const STARTXREF = encoder.encode('startxref');
const ENDSTREAM = encoder.encode('endstream');
const TRAILER = encoder.encode('trailer');

/** Offset of the first `pattern` at or after `from`, or -1. */
export const indexOfBytes = (bytes: Uint8Array, pattern: Uint8Array, from = 0): number => {
  const first = pattern[0]!;
  for (let i = bytes.indexOf(first, from); i >= 0 && i + pattern.length <= bytes.length; i = bytes.indexOf(first, i + 1)) {
    let j = 1;
    while (j < pattern.length && bytes[i + j] === pattern[j]) j++;
    if (j === pattern.length) return i;
  }
  return -1;
};

/** Offset of the last `pattern` that starts at or before `from`, or -1. */
export const lastIndexOfBytes = (bytes: Uint8Array, pattern: Uint8Array, from = bytes.length - pattern.length): number => {
  const first = pattern[0]!;
  for (let i = bytes.lastIndexOf(first, from); i >= 0; i = i === 0 ? -1 : bytes.lastIndexOf(first, i - 1)) {
    let j = 1;
    while (j < pattern.length && bytes[i + j] === pattern[j]) j++;
    if (j === pattern.length) return i;
  }
  return -1;
};

const isInteger = (value: PdfValue | undefined): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

export class PdfDocument {
  private readonly objects = new Map<number, Promise<PdfValue>>();
  private readonly objectStreams = new Map<number, Promise<{ offsets: Map<number, number>; parser: PdfParser; first: number }>>();
  private scannedOffsets: Map<number, number> | undefined;

  /** Use PdfDocument.open. */
  constructor(
    readonly bytes: Uint8Array,
    private readonly entries: ReadonlyMap<number, XrefEntry>,
    readonly trailer: PdfDict,
    /** Whether the object index had to be rebuilt by scanning (the xref was missing or broken). */
    readonly recovered: boolean,
  ) {}

  /** Opens `bytes` as a PDF; throws PdfFormatError when it is not one at all. */
  static async open(bytes: Uint8Array): Promise<PdfDocument> {
    const header = indexOfBytes(bytes.subarray(0, 1024), encoder.encode('%PDF-'));
    if (header < 0) throw new PdfFormatError(`received ${bytes.length} bytes without a %PDF- header; expected a PDF file`);
    try {
      const { entries, trailer } = await readCrossReferences(bytes);
      if (trailer.get('Root') instanceof PdfRef) return new PdfDocument(bytes, entries, trailer, false);
    } catch (error) {
      if (!(error instanceof PdfFormatError)) throw error;
    }
    return recover(bytes);
  }

  /** The object `n`, references inside it unresolved; null when absent (ISO 32000-1 §7.3.10). */
  getObject(objectNumber: number): Promise<PdfValue> {
    let object = this.objects.get(objectNumber);
    if (!object) {
      object = this.loadObject(objectNumber);
      this.objects.set(objectNumber, object);
    }
    return object;
  }

  /** Follows references until a direct value. */
  async resolve(value: PdfValue | undefined): Promise<PdfValue> {
    let current: PdfValue = value ?? null;
    for (let depth = 0; current instanceof PdfRef; depth++) {
      if (depth >= LIMITS.referenceChain) throw new PdfFormatError(`received a chain of more than ${LIMITS.referenceChain} references; expected a direct value`);
      current = await this.getObject(current.objectNumber);
    }
    return current;
  }

  /** The value as a dictionary (a stream's dictionary too), resolved; undefined otherwise. */
  async dict(value: PdfValue | undefined): Promise<PdfDict | undefined> {
    const resolved = await this.resolve(value);
    return resolved instanceof PdfDict ? resolved : resolved instanceof PdfStream ? resolved.dict : undefined;
  }

  /** The value as an array, resolved; empty otherwise. */
  async array(value: PdfValue | undefined): Promise<readonly PdfValue[]> {
    const resolved = await this.resolve(value);
    return Array.isArray(resolved) ? resolved : [];
  }

  /** Decoded data of a stream, at most `limit` bytes. */
  async streamData(stream: PdfStream, limit: number): Promise<Uint8Array> {
    return decodeStreamData(stream.dict, stream.data, limit);
  }

  /** Numbers of the objects in use, for scans that cannot start from the catalog. */
  objectNumbers(): number[] {
    const numbers = [...this.entries].filter(([, entry]) => entry.kind !== 'free').map(([n]) => n);
    return numbers.slice(0, LIMITS.recoveredObjects);
  }

  private async loadObject(objectNumber: number): Promise<PdfValue> {
    const entry = this.entries.get(objectNumber);
    if (entry?.kind === 'compressed') return this.loadCompressed(objectNumber, entry.stream, entry.index);
    if (entry?.kind === 'offset') {
      const object = await this.readAt(entry.offset, objectNumber).catch((error: unknown) => {
        if (error instanceof PdfFormatError) return undefined;
        throw error;
      });
      if (object !== undefined) return object;
    }
    // A wrong offset (or an object missing from the xref): look for its header in the bytes.
    const offset = this.scan().get(objectNumber);
    return offset === undefined || entry?.kind === 'free' ? null : this.readAt(offset, objectNumber);
  }

  private scan(): Map<number, number> {
    this.scannedOffsets ??= scanObjectHeaders(this.bytes);
    return this.scannedOffsets;
  }

  /** The indirect object whose header is at `offset`. */
  async readAt(offset: number, expectedNumber?: number): Promise<PdfValue> {
    return readIndirectObject(this.bytes, offset, expectedNumber, (ref) => this.resolve(ref));
  }

  private async loadCompressed(objectNumber: number, streamNumber: number, index: number): Promise<PdfValue> {
    let container = this.objectStreams.get(streamNumber);
    if (!container) {
      container = (async () => {
        const stream = await this.getObject(streamNumber);
        if (!(stream instanceof PdfStream) || stream.dict.name('Type') !== 'ObjStm') throw new PdfFormatError(`received object ${streamNumber} as an object stream; expected /Type /ObjStm`);
        const count = stream.dict.get('N');
        const first = stream.dict.get('First');
        if (!isInteger(count) || !isInteger(first) || count > LIMITS.objectsPerStream) throw new PdfFormatError(`received object stream ${streamNumber} without valid /N and /First`);
        const data = await this.streamData(stream, LIMITS.structureStreamBytes);
        const parser = new PdfParser(data);
        const offsets = new Map<number, number>();
        for (let i = 0; i < count; i++) {
          const number = parser.unsignedInteger();
          const at = parser.unsignedInteger();
          if (number === undefined || at === undefined) throw new PdfFormatError(`received object stream ${streamNumber} with a broken header; expected ${count} number pairs`);
          if (!offsets.has(number)) offsets.set(number, at);
        }
        return { offsets, parser, first };
      })();
      this.objectStreams.set(streamNumber, container);
    }
    const { offsets, parser, first } = await container;
    const at = offsets.get(objectNumber);
    if (at === undefined) throw new PdfFormatError(`received object stream ${streamNumber} without object ${objectNumber} (index ${index}); expected it there`);
    parser.position = first + at;
    return parser.value();
  }
}

/** Reads `n g obj … endobj` at `offset`, with stream data when it is a stream. */
const readIndirectObject = async (
  bytes: Uint8Array, offset: number, expectedNumber: number | undefined, resolve: (ref: PdfRef) => Promise<PdfValue>,
): Promise<PdfValue> => {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= bytes.length) throw new PdfFormatError(`received object offset ${offset}; expected one inside the ${bytes.length}-byte file`);
  const parser = new PdfParser(bytes, offset);
  const header = parser.objectHeader();
  if (!header || (expectedNumber !== undefined && header.objectNumber !== expectedNumber)) {
    throw new PdfFormatError(`received no header of object ${expectedNumber ?? ''} at offset ${offset}; expected 'n g obj'`);
  }
  const value = parser.value();
  if (!(value instanceof PdfDict) || !parser.keyword('stream')) return value;
  let start = parser.position;
  if (bytes[start] === 0x0d && bytes[start + 1] === 0x0a) start += 2;
  else if (bytes[start] === 0x0a || bytes[start] === 0x0d) start += 1;
  // /Length is trusted only if 'endstream' follows where it says; otherwise the keyword is searched.
  let length = value.get('Length');
  if (length instanceof PdfRef) length = await resolve(length).catch(() => undefined);
  if (isInteger(length) && start + length <= bytes.length) {
    const after = new PdfParser(bytes, start + length);
    if (after.keyword('endstream')) return new PdfStream(value, bytes.subarray(start, start + length));
  }
  const end = indexOfBytes(bytes, ENDSTREAM, start);
  if (end < 0) throw new PdfFormatError(`received stream object ${header.objectNumber} without 'endstream'; expected stream data to end`);
  let dataEnd = end;
  if (bytes[dataEnd - 1] === 0x0a) dataEnd--;
  if (bytes[dataEnd - 1] === 0x0d) dataEnd--;
  return new PdfStream(value, bytes.subarray(start, Math.max(start, dataEnd)));
};

/** The trailer and entries of every revision, newest first (a newer entry hides older ones). */
const readCrossReferences = async (bytes: Uint8Array): Promise<{ entries: Map<number, XrefEntry>; trailer: PdfDict }> => {
  const marker = lastIndexOfBytes(bytes, STARTXREF);
  if (marker < 0) throw new PdfFormatError("received a PDF without 'startxref'; expected a cross-reference pointer");
  const pointer = new PdfParser(bytes, marker + STARTXREF.length).unsignedInteger();
  if (pointer === undefined) throw new PdfFormatError("received 'startxref' without an offset; expected one");

  const entries = new Map<number, XrefEntry>();
  const trailers: PdfDict[] = [];
  const visited = new Set<number>();
  const resolveDirectOnly = async (): Promise<PdfValue> => null; // xref streams carry /Length directly
  let next: number | undefined = pointer;
  while (next !== undefined) {
    if (visited.has(next) || visited.size >= LIMITS.xrefSections) break;
    visited.add(next);
    const parser = new PdfParser(bytes, next);
    parser.skipSpace();
    let trailer: PdfDict;
    if (parser.keyword('xref')) {
      trailer = readXrefTable(parser, entries);
      const hybrid = trailer.get('XRefStm');
      if (isInteger(hybrid)) await readXrefStream(bytes, hybrid, entries, resolveDirectOnly).catch(() => undefined);
    } else {
      trailer = await readXrefStream(bytes, next, entries, resolveDirectOnly);
    }
    trailers.push(trailer);
    const previous = trailer.get('Prev');
    next = isInteger(previous) ? previous : undefined;
  }
  // The newest trailer speaks for the file; /Root may only be in an older one in odd files.
  const newest = trailers[0]!;
  const root = trailers.map((t) => t.get('Root')).find((r) => r instanceof PdfRef);
  const merged = new Map(newest.entries);
  if (root && !merged.has('Root')) merged.set('Root', root);
  return { entries, trailer: new PdfDict(merged) };
};

const readXrefTable = (parser: PdfParser, entries: Map<number, XrefEntry>): PdfDict => {
  const maxEntries = parser.bytes.length / 18 + 1;
  for (;;) {
    if (parser.keyword('trailer')) {
      const trailer = parser.value();
      if (!(trailer instanceof PdfDict)) parser.fail('a trailer dictionary');
      return trailer;
    }
    const start = parser.unsignedInteger();
    const count = parser.unsignedInteger();
    if (start === undefined || count === undefined || count > maxEntries) parser.fail("an xref subsection 'start count' or 'trailer'");
    for (let i = 0; i < count; i++) {
      const offset = parser.unsignedInteger();
      const generation = parser.unsignedInteger();
      parser.skipSpace();
      const type = parser.regularToken();
      if (offset === undefined || generation === undefined || (type !== 'n' && type !== 'f')) parser.fail('an xref entry "offset generation n|f"');
      if (!entries.has(start + i)) entries.set(start + i, type === 'n' && offset > 0 ? { kind: 'offset', offset } : { kind: 'free' });
    }
  }
};

const readXrefStream = async (
  bytes: Uint8Array, offset: number, entries: Map<number, XrefEntry>, resolve: (ref: PdfRef) => Promise<PdfValue>,
): Promise<PdfDict> => {
  const stream = await readIndirectObject(bytes, offset, undefined, resolve);
  if (!(stream instanceof PdfStream) || stream.dict.name('Type') !== 'XRef') throw new PdfFormatError(`received no xref stream at offset ${offset}; expected 'xref' or /Type /XRef`);
  const { dict } = stream;
  const widths = dict.get('W');
  const size = dict.get('Size');
  if (!Array.isArray(widths) || widths.length !== 3 || !widths.every((w) => isInteger(w) && w <= 8) || !isInteger(size)) {
    throw new PdfFormatError('received an xref stream without /W [a b c] and /Size; expected both');
  }
  const [w1, w2, w3] = widths as [number, number, number];
  const rowLength = w1 + w2 + w3;
  if (rowLength === 0) throw new PdfFormatError('received an xref stream with zero-width rows; expected /W to sum above 0');
  const index = dict.get('Index');
  const ranges = Array.isArray(index) && index.every(isInteger) ? (index as number[]) : [0, size];
  const data = await decodeStreamData(dict, stream.data, LIMITS.structureStreamBytes);
  const field = (at: number, width: number, fallback: number): number => {
    if (width === 0) return fallback;
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 256 + (data[at + i] ?? 0);
    return value;
  };
  let row = 0;
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    const [first, count] = [ranges[r]!, ranges[r + 1]!];
    for (let i = 0; i < count && (row + 1) * rowLength <= data.length; i++, row++) {
      const at = row * rowLength;
      const type = field(at, w1, 1);
      const objectNumber = first + i;
      if (entries.has(objectNumber)) continue;
      if (type === 1) entries.set(objectNumber, { kind: 'offset', offset: field(at + w1, w2, 0) });
      else if (type === 2) entries.set(objectNumber, { kind: 'compressed', stream: field(at + w1, w2, 0), index: field(at + w1 + w2, w3, 0) });
      else if (type === 0) entries.set(objectNumber, { kind: 'free' });
    }
  }
  return dict;
};

/** Offsets of `n g obj` headers at the start of a line (or file); the last one of a number wins, as in an update. */
const scanObjectHeaders = (bytes: Uint8Array): Map<number, number> => {
  const offsets = new Map<number, number>();
  const OBJ = encoder.encode('obj');
  for (let at = indexOfBytes(bytes, OBJ); at >= 0 && offsets.size < LIMITS.recoveredObjects; at = indexOfBytes(bytes, OBJ, at + 3)) {
    // Walk back over "n g " to the header's start.
    let start = at;
    let fields = 0;
    while (fields < 2 && start > 0) {
      while (start > 0 && (bytes[start - 1] === 0x20 || bytes[start - 1] === 0x0d || bytes[start - 1] === 0x0a)) start--;
      const digitsEnd = start;
      while (start > 0 && bytes[start - 1]! >= 0x30 && bytes[start - 1]! <= 0x39) start--;
      if (start === digitsEnd) break;
      fields++;
    }
    if (fields !== 2) continue;
    const header = new PdfParser(bytes, start).objectHeader();
    if (header) offsets.set(header.objectNumber, start);
  }
  return offsets;
};

/** Rebuilds the index by scanning; the trailer is the last 'trailer' dictionary, or else found from the catalog. */
const recover = async (bytes: Uint8Array): Promise<PdfDocument> => {
  const offsets = scanObjectHeaders(bytes);
  const entries = new Map<number, XrefEntry>([...offsets].map(([n, offset]) => [n, { kind: 'offset', offset } as const]));
  let trailer: PdfDict | undefined;
  for (let at = lastIndexOfBytes(bytes, TRAILER); at >= 0 && !trailer; at = at === 0 ? -1 : lastIndexOfBytes(bytes, TRAILER, at - 1)) {
    try {
      const parser = new PdfParser(bytes, at + TRAILER.length);
      const value = parser.value();
      if (value instanceof PdfDict && value.get('Root') instanceof PdfRef) trailer = value;
    } catch {
      // not a trailer after all: keep looking further back
    }
  }
  const document = (t: PdfDict) => new PdfDocument(bytes, entries, t, true);
  if (trailer) return document(trailer);
  // No trailer: the catalog (or an xref stream naming it) among the objects, the newest first.
  const probe = document(new PdfDict(new Map()));
  for (const [objectNumber] of [...offsets].sort((a, b) => b[1] - a[1])) {
    const value = await probe.getObject(objectNumber).catch(() => null);
    const dict = value instanceof PdfStream ? value.dict : value instanceof PdfDict ? value : undefined;
    if (dict?.name('Type') === 'Catalog') return document(new PdfDict(new Map([['Root', new PdfRef(objectNumber, 0)]])));
    if (dict?.name('Type') === 'XRef' && dict.get('Root') instanceof PdfRef) return document(dict);
  }
  throw new PdfFormatError(`received ${bytes.length} bytes in which no catalog was found; expected a PDF document`);
};

