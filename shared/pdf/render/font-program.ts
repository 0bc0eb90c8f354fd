/**
 * A TrueType font parsed once per process: the cmap (through fontkit), the metrics and the raw
 * tables a per-document subset copies glyphs from. Parsing the 6 MB Noto Sans KR costs ~35 ms, so
 * it must never happen per document (DESIGN §8: pdf-lib re-parses per document, the hot spot).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fontkit, { type Font } from '@pdf-lib/fontkit';

/** A glyph of the original font: its id and advance width in font units. */
export interface FontGlyph {
  readonly gid: number;
  readonly advance: number;
}

/** The raw location of one table in the font file. */
interface TableRecord {
  readonly offset: number;
  readonly length: number;
}

/** Font-wide metrics in font units, for the PDF font descriptor. */
export interface FontMetrics {
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  readonly capHeight: number;
  readonly bbox: readonly [number, number, number, number];
}

export class FontProgram {
  readonly postscriptName: string;
  readonly metrics: FontMetrics;
  readonly numGlyphs: number;
  /** glyf offsets of every glyph (numGlyphs + 1 entries), relative to the glyf table. */
  readonly locaOffsets: Uint32Array;
  readonly advances: Uint16Array;
  readonly leftSideBearings: Int16Array;
  readonly bytes: Uint8Array;
  readonly tables: ReadonlyMap<string, TableRecord>;
  readonly #font: Font;
  // Code point → glyph, filled lazily: fontkit's cmap lookup allocates a Glyph object per call.
  readonly #byCodePoint = new Map<number, FontGlyph | null>();

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.#font = fontkit.create(bytes);
    this.postscriptName = this.#font.postscriptName ?? 'Font';
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0) !== 0x00010000) {
      throw new Error(`received a font whose sfnt version is 0x${view.getUint32(0).toString(16)}; expected a TrueType (glyf) font, version 0x00010000`);
    }
    this.tables = readTableDirectory(view);
    const table = (tag: string): TableRecord => {
      const record = this.tables.get(tag);
      if (!record) throw new Error(`font ${this.postscriptName} has no '${tag}' table; expected a complete TrueType font`);
      return record;
    };
    const head = table('head');
    const unitsPerEm = view.getUint16(head.offset + 18);
    const longLoca = view.getInt16(head.offset + 50) === 1;
    this.numGlyphs = view.getUint16(table('maxp').offset + 4);
    const numberOfHMetrics = view.getUint16(table('hhea').offset + 34);

    const loca = table('loca');
    this.locaOffsets = new Uint32Array(this.numGlyphs + 1);
    for (let i = 0; i <= this.numGlyphs; i++) {
      this.locaOffsets[i] = longLoca ? view.getUint32(loca.offset + 4 * i) : 2 * view.getUint16(loca.offset + 2 * i);
    }

    const hmtx = table('hmtx');
    this.advances = new Uint16Array(this.numGlyphs);
    this.leftSideBearings = new Int16Array(this.numGlyphs);
    for (let i = 0; i < this.numGlyphs; i++) {
      const long = Math.min(i, numberOfHMetrics - 1);
      this.advances[i] = view.getUint16(hmtx.offset + 4 * long);
      this.leftSideBearings[i] =
        i < numberOfHMetrics ? view.getInt16(hmtx.offset + 4 * i + 2) : view.getInt16(hmtx.offset + 4 * numberOfHMetrics + 2 * (i - numberOfHMetrics));
    }

    const { bbox } = this.#font;
    this.metrics = {
      unitsPerEm,
      ascent: this.#font.ascent,
      descent: this.#font.descent,
      capHeight: this.#font.capHeight,
      bbox: [bbox.minX, bbox.minY, bbox.maxX, bbox.maxY],
    };
  }

  /** The glyph the cmap gives for `codePoint`, or undefined when the font has none. */
  glyphFor(codePoint: number): FontGlyph | undefined {
    let glyph = this.#byCodePoint.get(codePoint);
    if (glyph === undefined) {
      const gid = this.#font.hasGlyphForCodePoint(codePoint) ? this.#font.glyphForCodePoint(codePoint).id : 0;
      glyph = gid === 0 ? null : { gid, advance: this.advances[gid] ?? 0 };
      this.#byCodePoint.set(codePoint, glyph);
    }
    return glyph ?? undefined;
  }
}

const readTableDirectory = (view: DataView): Map<string, TableRecord> => {
  const tables = new Map<string, TableRecord>();
  const count = view.getUint16(4);
  for (let i = 0; i < count; i++) {
    const at = 12 + 16 * i;
    const tag = String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
    tables.set(tag, { offset: view.getUint32(at + 8), length: view.getUint32(at + 12) });
  }
  return tables;
};

const programs = new Map<string, FontProgram>();

/** Parses the TrueType font at `path` on first use and returns the same program ever after. */
export const loadFontProgram = (path: string): FontProgram => {
  let program = programs.get(path);
  if (!program) {
    program = new FontProgram(readFileSync(path));
    programs.set(path, program);
  }
  return program;
};

/** The regular and bold faces a result is set in. */
export interface FontPair {
  readonly regular: FontProgram;
  readonly bold: FontProgram;
}

/** File paths of a regular and a bold TrueType face. */
export interface FontPaths {
  readonly regular: string;
  readonly bold: string;
}

const require = createRequire(import.meta.url);

/**
 * Noto Sans KR (OFL) as shipped by @expo-google-fonts/noto-sans-kr, TTF. The CFF-flavoured OTF is
 * avoided on purpose: embedded through pdf-lib it yields a font poppler calls invalid.
 */
export const notoSansKrPaths = (): FontPaths => ({
  regular: require.resolve('@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/noto-sans-kr/700Bold/NotoSansKR_700Bold.ttf'),
});

/** The two faces as laid out by @expo-google-fonts/noto-sans-kr under `dir` (a Lambda bundle copies them so). */
export const fontPathsIn = (dir: string): FontPaths => ({
  regular: join(dir, '400Regular', 'NotoSansKR_400Regular.ttf'),
  bold: join(dir, '700Bold', 'NotoSansKR_700Bold.ttf'),
});

/** Loads (once per process) the faces at `paths`; call it at cold start to take the ~70 ms parse off the first render. */
export const loadFontPair = (paths: FontPaths = notoSansKrPaths()): FontPair => ({
  regular: loadFontProgram(paths.regular),
  bold: loadFontProgram(paths.bold),
});
