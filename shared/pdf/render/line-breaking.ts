/**
 * Greedy line breaking by advance width: Latin breaks after spaces, CJK (Hangul, Hanja, fullwidth
 * forms) may break between any two characters, except before closing and after opening
 * punctuation. A word wider than the line is broken wherever it overflows, so nothing ever spills
 * past the margin.
 */
import type { Paragraph, TextCell } from './text-policy.ts';

const isSpace = (cell: TextCell): boolean => cell.codePoint === 0x20 || cell.codePoint === 0x3000;

const isWide = (codePoint: number): boolean =>
  (codePoint >= 0x1100 && codePoint <= 0x11ff) ||
  (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
  (codePoint >= 0xac00 && codePoint <= 0xd7ff) ||
  (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
  (codePoint >= 0xff00 && codePoint <= 0xffef) ||
  codePoint >= 0x20000;

const NO_BREAK_BEFORE = new Set([...'!),.:;?]}、。〉》」』】〕〗〙〛！），．：；？］｝'].map((c) => c.codePointAt(0)!));
const NO_BREAK_AFTER = new Set([...'([{〈《「『【〔〖〘〚（［｛'].map((c) => c.codePointAt(0)!));

const canBreakBefore = (previous: TextCell, current: TextCell): boolean => {
  if (isSpace(current)) return false;
  if (isSpace(previous)) return true;
  if (NO_BREAK_BEFORE.has(current.codePoint) || NO_BREAK_AFTER.has(previous.codePoint)) return false;
  return isWide(previous.codePoint) || isWide(current.codePoint);
};

const withoutTrailingSpaces = (cells: readonly TextCell[]): TextCell[] => {
  let end = cells.length;
  while (end > 0 && isSpace(cells[end - 1]!)) end--;
  return cells.slice(0, end);
};

/** Splits `paragraph` into lines no wider than `limit` (in font units); an empty paragraph is one empty line. */
export const wrapParagraph = (paragraph: Paragraph, limit: number): TextCell[][] => {
  const lines: TextCell[][] = [];
  let start = 0;
  while (start < paragraph.length) {
    let width = 0;
    let at = start;
    let lastBreak = -1;
    while (at < paragraph.length) {
      const cell = paragraph[at]!;
      if (at > start && canBreakBefore(paragraph[at - 1]!, cell)) lastBreak = at;
      if (at > start && width + cell.advance > limit) break;
      width += cell.advance;
      at++;
    }
    if (at >= paragraph.length) {
      lines.push(withoutTrailingSpaces(paragraph.slice(start)));
      break;
    }
    const end = isSpace(paragraph[at]!) ? at : lastBreak > start ? lastBreak : at;
    lines.push(withoutTrailingSpaces(paragraph.slice(start, end)));
    start = end;
    while (start < paragraph.length && isSpace(paragraph[start]!)) start++;
  }
  return lines.length > 0 ? lines : [[]];
};

/** Width of `cells` in font units. */
export const widthOf = (cells: readonly TextCell[]): number => {
  let width = 0;
  for (const cell of cells) width += cell.advance;
  return width;
};
