/**
 * The agency's visible seal (직인): a red square with the seal text set in a grid of bold glyphs,
 * read in columns from the right, top to bottom, as Korean official seals are. It is drawn in
 * its own coordinate space (origin at the lower left) so it can become a form XObject that the
 * PAdES signer uses as the signature widget's appearance.
 */
import type { DrawOp, Rgb } from './draw-ops.ts';
import { shapeText } from './text-policy.ts';
import { textOp, type Typesetter } from './typesetter.ts';

export const SEAL_RED: Rgb = [0.82, 0.12, 0.12];
/** Side of the seal in points (~22 mm, the size of an agency seal printed on a notice). */
export const SEAL_SIZE = 62;

/** Drawing operations of a seal reading `sealText`, in a `size` × `size` box. */
export const sealOps = (sealText: string, typesetter: Typesetter, size: number = SEAL_SIZE): DrawOp[] => {
  const font = typesetter.font('bold');
  const cells = shapeText(sealText, 'issuingAgency.sealText', font, 'core')
    .flat()
    .filter((cell) => cell.codePoint !== 0x20 && cell.codePoint !== 0x3000);
  const rows = Math.max(1, Math.ceil(Math.sqrt(cells.length)));
  const columns = Math.max(1, Math.ceil(cells.length / rows));
  const border = size * 0.06;
  const inset = size * 0.12;
  const inner = size - 2 * inset;
  const cellWidth = inner / columns;
  const glyphSize = Math.min(cellWidth, inner / rows) * 0.94;
  const style = { face: 'bold', size: glyphSize, lineHeight: glyphSize, color: SEAL_RED } as const;
  const ops: DrawOp[] = [
    { kind: 'frame', x: border / 2, y: border / 2, width: size - border, height: size - border, lineWidth: border, color: SEAL_RED },
  ];
  for (let column = 0; column < columns; column++) {
    const inColumn = cells.slice(column * rows, (column + 1) * rows);
    // A short last column spreads its glyphs over the full height rather than leaving a hole.
    const cellHeight = inner / inColumn.length;
    const centreX = size - inset - (column + 0.5) * cellWidth;
    inColumn.forEach((cell, row) => {
      const centreY = size - inset - (row + 0.5) * cellHeight;
      const width = (cell.advance * glyphSize) / font.metrics.unitsPerEm;
      // 0.38 em: the vertical centre of a Hangul syllable above the baseline in Noto Sans KR.
      ops.push(textOp([cell], centreX - width / 2, centreY - 0.38 * glyphSize, style));
    });
  }
  return ops;
};
