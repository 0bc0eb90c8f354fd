/**
 * Draw operations to PDF content-stream text. Written as plain operator text rather than through
 * pdf-lib's operator objects: a page has hundreds of text runs and the string is what ends up in
 * the file anyway. Replacement glyphs are wrapped in /Span marked content whose /ActualText holds
 * the original character (text policy), and the QR code is tagged /QRCode so it can be found.
 */
import type { DrawOp, FontFace, Rgb } from './draw-ops.ts';
import type { SubsetFontEmbedding } from './subset-font-embedding.ts';
import type { TextCell } from './text-policy.ts';
import { utf16TextStringHex } from './to-unicode-cmap.ts';
import { darkRuns } from './verification-code.ts';

export type DocumentFonts = Readonly<Record<FontFace, SubsetFontEmbedding>>;

const n = (value: number): string => {
  const rounded = Math.round(value * 1000) / 1000;
  return Object.is(rounded, -0) ? '0' : String(rounded);
};
const rgb = ([r, g, b]: Rgb): string => `${n(r)} ${n(g)} ${n(b)}`;

const showText = (cells: readonly TextCell[], font: SubsetFontEmbedding): string => {
  let out = '';
  let plain: TextCell[] = [];
  const flush = () => {
    if (plain.length > 0) out += `<${font.encode(plain)}> Tj\n`;
    plain = [];
  };
  for (const cell of cells) {
    if (cell.actualText === undefined) {
      plain.push(cell);
      continue;
    }
    flush();
    out += `/Span <</ActualText <${utf16TextStringHex(cell.actualText)}>>> BDC <${font.encode([cell])}> Tj EMC\n`;
  }
  flush();
  return out;
};

/** Content-stream operators for `ops`, adding every glyph drawn to the document's font subsets. */
export const paintContent = (ops: readonly DrawOp[], fonts: DocumentFonts): string => {
  let out = '';
  for (const op of ops) {
    switch (op.kind) {
      case 'text': {
        if (op.cells.length === 0) break;
        const font = fonts[op.face];
        out += `BT\n${rgb(op.color)} rg\n/${font.resourceName} ${n(op.size)} Tf\n${n(op.x)} ${n(op.y)} Td\n${showText(op.cells, font)}ET\n`;
        break;
      }
      case 'fill':
        out += `${rgb(op.color)} rg\n${n(op.x)} ${n(op.y)} ${n(op.width)} ${n(op.height)} re f\n`;
        break;
      case 'frame':
        out += `${rgb(op.color)} RG\n${n(op.lineWidth)} w\n${n(op.x)} ${n(op.y)} ${n(op.width)} ${n(op.height)} re S\n`;
        break;
      case 'rule':
        out += `${rgb(op.color)} RG\n${n(op.lineWidth)} w\n${n(op.x1)} ${n(op.y1)} m ${n(op.x2)} ${n(op.y2)} l S\n`;
        break;
      case 'qr': {
        // One rectangle per horizontal run of dark modules, in module units (rows count down from the top).
        const size = op.matrix.length;
        out += `/QRCode BMC\nq\n${n(op.moduleSize)} 0 0 ${n(op.moduleSize)} ${n(op.x)} ${n(op.y)} cm\n0 0 0 rg\n`;
        for (const [row, column, length] of darkRuns(op.matrix)) out += `${column} ${size - 1 - row} ${length} 1 re\n`;
        out += 'f\nQ\nEMC\n';
        break;
      }
    }
  }
  return out;
};
