/**
 * Text to positioned lines in the result's faces: shaping under the Unicode policy, wrapping by
 * advance width, and the small placement helpers the result layout is written with.
 */
import type { FontPair, FontProgram } from './font-program.ts';
import type { FontFace, Rgb } from './draw-ops.ts';
import { widthOf, wrapParagraph } from './line-breaking.ts';
import type { PageFlow } from './page-flow.ts';
import { shapeText, type TextCell, type TextKind } from './text-policy.ts';

/** How a piece of text is set. */
export interface TextStyle {
  readonly face: FontFace;
  readonly size: number;
  readonly lineHeight: number;
  readonly color: Rgb;
}

/** One column of a row: its lines, where it starts and how they are set. */
export interface RowColumn {
  readonly x: number;
  readonly lines: readonly (readonly TextCell[])[];
  readonly style: TextStyle;
}

export class Typesetter {
  constructor(readonly fonts: FontPair) {}

  font(face: FontFace): FontProgram {
    return face === 'bold' ? this.fonts.bold : this.fonts.regular;
  }

  /** Shapes `value` and wraps each of its paragraphs to `width` points. */
  lines(value: string, field: string, kind: TextKind, style: TextStyle, width: number): TextCell[][] {
    const font = this.font(style.face);
    const limit = (width * font.metrics.unitsPerEm) / style.size;
    return shapeText(value, field, font, kind).flatMap((paragraph) => wrapParagraph(paragraph, limit));
  }

  /** Width in points of `cells` set in `style`. */
  width(cells: readonly TextCell[], style: Pick<TextStyle, 'face' | 'size'>): number {
    return (widthOf(cells) * style.size) / this.font(style.face).metrics.unitsPerEm;
  }

  /** Flows `lines` down from the cursor at `x`, page by page. */
  flowLines(flow: PageFlow, lines: readonly (readonly TextCell[])[], x: number, style: TextStyle): void {
    this.flowRow(flow, [{ x, lines, style }]);
  }

  /** Flows columns side by side, line by line, so a row taller than a page continues on the next. */
  flowRow(flow: PageFlow, columns: readonly RowColumn[]): void {
    const lineHeight = Math.max(...columns.map((c) => c.style.lineHeight));
    const count = Math.max(...columns.map((c) => c.lines.length));
    for (let k = 0; k < count; k++) {
      flow.ensure(lineHeight);
      for (const { x, lines, style } of columns) {
        const cells = lines[k];
        if (cells && cells.length > 0) flow.ops.push(textOp(cells, x, baseline(flow.y, lineHeight, style.size), style));
      }
      flow.advance(lineHeight);
    }
  }
}

/** Baseline that centres capitals in a line box whose top is `top`. */
export const baseline = (top: number, lineHeight: number, size: number): number => top - lineHeight / 2 - 0.36 * size;

export const textOp = (cells: readonly TextCell[], x: number, y: number, style: TextStyle) =>
  ({ kind: 'text', face: style.face, size: style.size, x, y, color: style.color, cells }) as const;
