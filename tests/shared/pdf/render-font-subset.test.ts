import { existsSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import { PDFArray, PDFDict, PDFName, type PDFDocument, type PDFRawStream } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { FontProgram, loadFontPair, loadFontProgram } from '../../../shared/pdf/render/font-program.ts';
import { renderResultPdf, type ResultDocument } from '../../../shared/pdf/render/index.ts';
import { sampleResultDocument } from '../../support/sample-result.ts';
import { TrueTypeSubset } from '../../../shared/pdf/render/truetype-subset.ts';

const { regular } = loadFontPair();
// DejaVu Sans builds accented letters from components (composite glyphs); Noto Sans KR has none.
const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

const gidsOf = (font: FontProgram, text: string): number[] => [...text].map((c) => font.glyphFor(c.codePointAt(0)!)!.gid);

const subsetOf = (font: FontProgram, gids: readonly number[]) => {
  const subset = new TrueTypeSubset(font);
  const ids = gids.map((gid) => subset.includeGlyph(gid));
  return { subset, ids };
};

const pathOf = (font: fontkit.Font, gid: number): string => font.getGlyph(gid).path.toSVG();

/** The Type0 fonts of a rendered document, by resource name, with their descendant and font file. */
const embeddedFonts = (doc: PDFDocument) => {
  const fonts = doc.getPage(0).node.normalizedEntries().Font;
  return (['F1', 'F2'] as const).map((name) => {
    const type0 = doc.context.lookup(fonts.get(PDFName.of(name)), PDFDict);
    const descendant = doc.context.lookup(type0.lookup(PDFName.of('DescendantFonts'), PDFArray).get(0), PDFDict);
    const descriptor = doc.context.lookup(descendant.get(PDFName.of('FontDescriptor')), PDFDict);
    const file = doc.context.lookup(descriptor.get(PDFName.of('FontFile2'))) as PDFRawStream;
    const toUnicode = doc.context.lookup(type0.get(PDFName.of('ToUnicode'))) as PDFRawStream;
    return {
      baseFont: (type0.get(PDFName.of('BaseFont')) as PDFName).decodeText(),
      fontFile: inflateSync(file.getContents()),
      toUnicode: inflateSync(toUnicode.getContents()).toString('latin1'),
      widths: descendant.lookup(PDFName.of('W'), PDFArray),
    };
  });
};

describe('TrueTypeSubset', () => {
  it('renumbers glyphs densely from .notdef in the order they are first used', () => {
    const gids = gidsOf(regular, '한글한A');

    const { ids } = subsetOf(regular, gids);

    expect(ids).toEqual([1, 2, 1, 3]);
  });

  it('encodes a font that fontkit reads back with the same outlines and advance widths', () => {
    const text = '기초연금 國土交通部 Approve 0123456789abcdef';
    const gids = [...new Set(gidsOf(regular, text))];
    const { subset, ids } = subsetOf(regular, gids);

    const parsed = fontkit.create(subset.encode());
    const original = fontkit.create(regular.bytes);

    expect(parsed.numGlyphs).toBe(gids.length + 1);
    gids.forEach((gid, i) => {
      expect(parsed.getGlyph(ids[i]!).advanceWidth).toBe(original.getGlyph(gid).advanceWidth);
      expect(pathOf(parsed, ids[i]!)).toBe(pathOf(original, gid));
    });
  });

  it.skipIf(!existsSync(DEJAVU))('carries the components of composite glyphs and points them at their new ids', () => {
    const dejavu = loadFontProgram(DEJAVU);
    const gids = gidsOf(dejavu, 'éÅ');
    const { subset, ids } = subsetOf(dejavu, gids);

    const parsed = fontkit.create(subset.encode());
    const original = fontkit.create(dejavu.bytes);

    // The two accented letters pull in their base letters and accents.
    expect(subset.glyphCount).toBeGreaterThan(gids.length + 1);
    gids.forEach((gid, i) => expect(pathOf(parsed, ids[i]!)).toBe(pathOf(original, gid)));
  });
});

describe('subset font embedding', () => {
  it('names each font with a six-letter subset tag that depends on the glyphs used', async () => {
    const [first, again, other] = await Promise.all([
      renderResultPdf(sampleResultDocument()),
      renderResultPdf(sampleResultDocument()),
      renderResultPdf({ ...sampleResultDocument(), title: '장애인연금 신청 결과 통지서' }),
    ]);

    const names = [first, again, other].map(({ doc }) => embeddedFonts(doc).map((f) => f.baseFont));

    expect(names[0]).toEqual([expect.stringMatching(/^[A-Z]{6}\+NotoSansKR-Regular$/), expect.stringMatching(/^[A-Z]{6}\+NotoSansKR-Bold$/)]);
    expect(names[1]).toEqual(names[0]);
    expect(names[2]![1]).not.toBe(names[0]![1]);
  });

  it('embeds only the glyphs the document uses, with a width and a Unicode mapping for each', async () => {
    const document: ResultDocument = sampleResultDocument();
    const { doc } = await renderResultPdf(document);

    const [regularFont] = embeddedFonts(doc);
    const parsed = fontkit.create(regularFont!.fontFile);

    expect(parsed.numGlyphs).toBeLessThan(400);
    expect(parsed.numGlyphs).toBeGreaterThan(100);
    const widths = regularFont!.widths.lookup(1, PDFArray);
    expect(widths.size()).toBe(parsed.numGlyphs);
    const mappings = [...regularFont!.toUnicode.split('endcodespacerange')[1]!.matchAll(/<([0-9A-F]{4})> <([0-9A-F]{4,8})>/g)];
    expect(mappings).toHaveLength(parsed.numGlyphs - 1); // every glyph but .notdef
    const mapped = new Set(mappings.map(([, , unicode]) => String.fromCharCode(parseInt(unicode!, 16))));
    // Text set in the regular face: the closing sentence and the first evidence document.
    for (const character of `통지합니다${document.evidence[0]!.document}`.replace(/\s/g, '')) expect(mapped).toContain(character);
  });

  it('keeps a ToUnicode CMap that poppler needs no fallback for: bfchar blocks of at most 100 entries', async () => {
    const { doc } = await renderResultPdf(sampleResultDocument());

    const [regularFont] = embeddedFonts(doc);

    const blocks = [...regularFont!.toUnicode.matchAll(/(\d+) beginbfchar/g)].map((m) => Number(m[1]));
    expect(blocks.length).toBeGreaterThan(1);
    for (const size of blocks) expect(size).toBeLessThanOrEqual(100);
  });
});
