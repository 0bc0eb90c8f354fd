/**
 * What a laid-out page holds, before it becomes PDF operators: text lines as glyph cells, filled
 * and stroked rectangles, rules and the QR code. Layout produces these; a painter turns them into
 * a content stream (ours, or pdf-lib's drawing API when measuring against it).
 */
import type { TextCell } from './text-policy.ts';
import type { QrMatrix } from './verification-code.ts';

export type Rgb = readonly [number, number, number];
export type FontFace = 'regular' | 'bold';

export type DrawOp =
  | { readonly kind: 'text'; readonly face: FontFace; readonly size: number; readonly x: number; readonly y: number; readonly color: Rgb; readonly cells: readonly TextCell[] }
  | { readonly kind: 'fill'; readonly x: number; readonly y: number; readonly width: number; readonly height: number; readonly color: Rgb }
  | { readonly kind: 'frame'; readonly x: number; readonly y: number; readonly width: number; readonly height: number; readonly lineWidth: number; readonly color: Rgb }
  | { readonly kind: 'rule'; readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number; readonly lineWidth: number; readonly color: Rgb }
  | { readonly kind: 'qr'; readonly x: number; readonly y: number; readonly moduleSize: number; readonly matrix: QrMatrix };

/** ISO 216 A4 in PDF points. */
export const A4 = { width: 595.28, height: 841.89 } as const;
