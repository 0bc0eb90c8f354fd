/**
 * One font of one document: glyphs are added to a TrueType subset as text is drawn, and at the
 * end the subset is embedded as a Type0 font (Identity-H) over a CIDFontType2 whose CIDs are the
 * subset's glyph ids (CIDToGIDMap /Identity), with a W widths array and a ToUnicode CMap so the
 * text can be extracted and searched. The BaseFont carries a subset tag (ABCDEF+Name) as
 * ISO 32000-1 §9.6.4 asks of subset fonts.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { PDFString, type PDFContext, type PDFRef } from 'pdf-lib';
import type { FontProgram } from './font-program.ts';
import type { TextCell } from './text-policy.ts';
import { toUnicodeCMap } from './to-unicode-cmap.ts';
import { TrueTypeSubset } from './truetype-subset.ts';

const HEX4: string[] = [];
/** Four upper-case hex digits of a 16-bit code; memoised, as every drawn glyph goes through it. */
const hex4 = (n: number): string => (HEX4[n] ??= n.toString(16).toUpperCase().padStart(4, '0'));

export class SubsetFontEmbedding {
  /** The Type0 font dictionary, allocated now so pages can refer to it before the subset is final. */
  readonly ref: PDFRef;
  /** Name of the font in page and form resources (without the slash). */
  readonly resourceName: string;
  readonly #program: FontProgram;
  readonly #context: PDFContext;
  readonly #subset: TrueTypeSubset;
  readonly #unicode = new Map<number, number>();
  #embedded = false;

  constructor(program: FontProgram, context: PDFContext, resourceName: string) {
    this.#program = program;
    this.#context = context;
    this.#subset = new TrueTypeSubset(program);
    this.ref = context.nextRef();
    this.resourceName = resourceName;
  }

  get program(): FontProgram {
    return this.#program;
  }

  /** Adds the glyphs of `cells` to the subset and returns their codes as the hex digits of a PDF string. */
  encode(cells: readonly TextCell[]): string {
    let hex = '';
    for (const cell of cells) {
      const cid = this.#subset.includeGlyph(cell.gid);
      if (!this.#unicode.has(cid)) this.#unicode.set(cid, cell.codePoint);
      hex += hex4(cid);
    }
    return hex;
  }

  /** Writes the subset and its dictionaries into the document; no glyph may be added afterwards. */
  embed(): void {
    if (this.#embedded) throw new Error('font subset already embedded; expected embed() once per document');
    this.#embedded = true;
    const context = this.#context;
    const program = this.#program;
    const scale = 1000 / program.metrics.unitsPerEm;
    const fontFile = this.#subset.encode();
    const baseFont = `${this.#subsetTag()}+${program.postscriptName}`;

    // Level 1: about twice as fast as the default on a font subset, for ~5 % more bytes (render budget).
    const fontFileRef = context.register(context.stream(deflateSync(fontFile, { level: 1 }), { Filter: 'FlateDecode', Length1: fontFile.length }));
    const [minX, minY, maxX, maxY] = program.metrics.bbox;
    const descriptorRef = context.register(
      context.obj({
        Type: 'FontDescriptor',
        FontName: baseFont,
        // Symbolic: the glyphs are outside the standard Latin character set.
        Flags: 4,
        FontBBox: [minX, minY, maxX, maxY].map((v) => Math.round(v * scale)),
        ItalicAngle: 0,
        Ascent: Math.round(program.metrics.ascent * scale),
        Descent: Math.round(program.metrics.descent * scale),
        CapHeight: Math.round(program.metrics.capHeight * scale),
        StemV: 80,
        FontFile2: fontFileRef,
      }),
    );
    const widths: number[] = [];
    for (let cid = 0; cid < this.#subset.glyphCount; cid++) widths.push(Math.round(program.advances[this.#subset.originalId(cid)]! * scale));
    const cidFontRef = context.register(
      context.obj({
        Type: 'Font',
        Subtype: 'CIDFontType2',
        BaseFont: baseFont,
        CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
        FontDescriptor: descriptorRef,
        W: [0, widths],
        CIDToGIDMap: 'Identity',
      }),
    );
    const toUnicodeRef = context.register(context.stream(deflateSync(toUnicodeCMap(this.#unicode), { level: 1 }), { Filter: 'FlateDecode' }));
    context.assign(
      this.ref,
      context.obj({
        Type: 'Font',
        Subtype: 'Type0',
        BaseFont: baseFont,
        Encoding: 'Identity-H',
        DescendantFonts: [cidFontRef],
        ToUnicode: toUnicodeRef,
      }),
    );
  }

  /** Six capital letters derived from the glyph set: the same text gives the same tag. */
  #subsetTag(): string {
    const hash = createHash('sha256');
    for (let cid = 0; cid < this.#subset.glyphCount; cid++) hash.update(hex4(this.#subset.originalId(cid)));
    const digest = hash.digest();
    return Array.from(digest.subarray(0, 6), (byte) => String.fromCharCode(65 + (byte % 26))).join('');
  }
}
