/**
 * The Unicode policy of result rendering: how any string becomes glyphs, decided once here.
 *
 * - Every value is NFC-normalised first (decomposed Hangul jamo and accents compose).
 * - Glyphs come from the font's cmap, one per code point; there is no shaping (GSUB). Hangul
 *   syllables, KS X 1001 Hanja, Latin and common symbols need none. Old Hangul jamo sequences and
 *   complex scripts are therefore not composed; right-to-left text is not reordered (Noto Sans KR
 *   has no Hebrew or Arabic glyphs anyway, so such text falls under the rules below).
 * - Core fields (title, agency, petition id and type, applicant name, labels, dates, evidence rows,
 *   seal certificate, verification) come from templates, agencies and verified identity. A
 *   character the font cannot draw there, or a control character, is a bug upstream, never to be
 *   papered over: UnrenderableTextError names the field, the code point and the font.
 * - Free text (petition field values, decision reasons) is what citizens and officers type. Each
 *   code point the font lacks (emoji, RTL scripts, unassigned, lone surrogates) is drawn as 〓
 *   (U+3013 GETA MARK, the CJK typesetter's sign for "character not available" — chosen over □
 *   because □ is what a broken font shows) wrapped in marked content whose /ActualText holds the
 *   original character, so text extraction and search give back exactly what was typed.
 *   Control characters are stripped (they have no visible form); CR, CRLF, NEL, U+2028 and U+2029
 *   become line breaks and TAB becomes a space.
 * - In both kinds, default-ignorable code points (ZWJ, variation selectors, bidi controls, soft
 *   hyphen, …) are not drawn — invisible is their correct rendering — and spaces the font lacks
 *   (em space, …) are drawn as an ordinary space.
 */
import type { FontGlyph, FontProgram } from './font-program.ts';
import { UnrenderableTextError } from './render-errors.ts';

/** One drawn glyph: the original font's glyph, the code point it stands for, and what it replaces if anything. */
export interface TextCell {
  readonly gid: number;
  readonly advance: number;
  /** The code point the glyph shows (written to the ToUnicode CMap). */
  readonly codePoint: number;
  /** The original text when the glyph is a replacement marker (written as /ActualText). */
  readonly actualText?: string;
}

/** A run of cells between hard line breaks. */
export type Paragraph = readonly TextCell[];

/** `core`: refuse what cannot be drawn; `free`: replace it visibly and keep the original. */
export type TextKind = 'core' | 'free';

const MARKER = 0x3013;
const SPACE = 0x20;
const NEWLINES = /\r\n|[\r\u0085\u2028\u2029]/g;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
const SPACE_SEPARATOR = /\p{Zs}/u;

/** Printable ASCII and Hangul syllables: neither control nor default-ignorable, so the regexes can be skipped. */
const isPlain = (codePoint: number): boolean => (codePoint >= 0x20 && codePoint < 0x7f) || (codePoint >= 0xac00 && codePoint <= 0xd7a3);

/** C0 and C1 control characters and DEL. */
const isControl = (codePoint: number): boolean => codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f);

const isSurrogate = (codePoint: number): boolean => codePoint >= 0xd800 && codePoint <= 0xdfff;

/** Turns `value` of `field` into paragraphs of glyphs of `font`, following the policy above. */
export const shapeText = (value: string, field: string, font: FontProgram, kind: TextKind): Paragraph[] => {
  const text = kind === 'free' ? value.normalize('NFC').replace(NEWLINES, '\n').replaceAll('\t', ' ') : value.normalize('NFC');
  const paragraphs: TextCell[][] = [[]];
  const marker = font.glyphFor(MARKER) ?? font.glyphFor(0x3f);
  const space = font.glyphFor(SPACE);
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    if (kind === 'free' && codePoint === 0x0a) {
      paragraphs.push([]);
      continue;
    }
    const line = paragraphs.at(-1)!;
    if (!isPlain(codePoint)) {
      if (isControl(codePoint)) {
        if (kind === 'core') throw new UnrenderableTextError(field, codePoint, font.postscriptName, 'control-character');
        continue;
      }
      if (IGNORABLE.test(character)) continue;
    }
    const glyph: FontGlyph | undefined = font.glyphFor(codePoint);
    if (glyph) {
      line.push({ gid: glyph.gid, advance: glyph.advance, codePoint });
    } else if (SPACE_SEPARATOR.test(character) && space) {
      line.push({ gid: space.gid, advance: space.advance, codePoint: SPACE });
    } else if (kind === 'core' || !marker) {
      throw new UnrenderableTextError(field, codePoint, font.postscriptName, 'no-glyph');
    } else {
      line.push({ gid: marker.gid, advance: marker.advance, codePoint: MARKER, actualText: isSurrogate(codePoint) ? '\ufffd' : character });
    }
  }
  return paragraphs;
};
