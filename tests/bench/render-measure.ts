/**
 * Measures result rendering against the obvious alternative: the same laid-out page drawn with
 * pdf-lib's own font embedding (`embedFont(ttf, { subset: true })` + `drawText`), which re-parses
 * and re-subsets the font for every document. Used by the performance test and `npm run bench`-style
 * reports; the numbers are per document, after warm-up, in one process.
 */
import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import { A4, type DrawOp } from '../../shared/pdf/render/draw-ops.ts';
import { loadFontPair, notoSansKrPaths } from '../../shared/pdf/render/font-program.ts';
import { renderResultPdfBytes } from '../../shared/pdf/render/render-result-pdf.ts';
import type { ResultDocument } from '../../shared/pdf/render/result-document.ts';
import { layoutResult } from '../../shared/pdf/render/result-layout.ts';
import { sampleResultDocument } from '../support/sample-result.ts';
import { darkRuns } from '../../shared/pdf/render/verification-code.ts';

export interface TimingSummary {
  readonly runs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Size of the saved (unsigned) PDF. */
  readonly bytes: number;
}

export interface RenderMeasurement {
  readonly ours: TimingSummary;
  readonly pdfLibDefault: TimingSummary;
}

export interface MeasureOptions {
  readonly document?: ResultDocument;
  /** Timed runs of our renderer. @default 200 */
  readonly runs?: number;
  /** Timed runs of the pdf-lib baseline, which is ~100× slower. @default 20 */
  readonly baselineRuns?: number;
  /** Untimed runs of each before timing. @default 20 */
  readonly warmup?: number;
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const timeRuns = async (runs: number, warmup: number, render: () => Promise<Uint8Array>): Promise<TimingSummary> => {
  let bytes = 0;
  for (let i = 0; i < warmup; i++) bytes = (await render()).length;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    bytes = (await render()).length;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { runs, p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)), bytes };
};

/** The same document laid out by us, drawn with pdf-lib's embedFont/drawText (the baseline). */
export const renderWithPdfLibFonts = async (document: ResultDocument, fontBytes: { regular: Uint8Array; bold: Uint8Array }): Promise<Uint8Array> => {
  const layout = layoutResult(document, loadFontPair());
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const fonts = { regular: await pdf.embedFont(fontBytes.regular, { subset: true }), bold: await pdf.embedFont(fontBytes.bold, { subset: true }) };
  for (const ops of layout.pages) {
    const page = pdf.addPage([A4.width, A4.height]);
    for (const op of ops as readonly DrawOp[]) {
      switch (op.kind) {
        case 'text':
          if (op.cells.length > 0) {
            const text = String.fromCodePoint(...op.cells.map((c) => c.codePoint));
            page.drawText(text, { x: op.x, y: op.y, size: op.size, font: fonts[op.face], color: rgb(...op.color) });
          }
          break;
        case 'fill':
          page.drawRectangle({ x: op.x, y: op.y, width: op.width, height: op.height, color: rgb(...op.color) });
          break;
        case 'frame':
          page.drawRectangle({ x: op.x, y: op.y, width: op.width, height: op.height, borderColor: rgb(...op.color), borderWidth: op.lineWidth });
          break;
        case 'rule':
          page.drawLine({ start: { x: op.x1, y: op.y1 }, end: { x: op.x2, y: op.y2 }, thickness: op.lineWidth, color: rgb(...op.color) });
          break;
        case 'qr':
          for (const [row, column, length] of darkRuns(op.matrix)) {
            page.drawRectangle({
              x: op.x + column * op.moduleSize,
              y: op.y + (op.matrix.length - 1 - row) * op.moduleSize,
              width: length * op.moduleSize,
              height: op.moduleSize,
              color: rgb(0, 0, 0),
            });
          }
          break;
      }
    }
  }
  return pdf.save({ useObjectStreams: false });
};

/** Times our renderer and the pdf-lib baseline on `document` (default: the sample result). */
export const measureRender = async (options: MeasureOptions = {}): Promise<RenderMeasurement> => {
  const document = options.document ?? sampleResultDocument();
  const warmup = options.warmup ?? 20;
  const paths = notoSansKrPaths();
  const fontBytes = { regular: readFileSync(paths.regular), bold: readFileSync(paths.bold) };
  const ours = await timeRuns(options.runs ?? 200, warmup, () => renderResultPdfBytes(document));
  const pdfLibDefault = await timeRuns(options.baselineRuns ?? 20, Math.min(warmup, 3), () => renderWithPdfLibFonts(document, fontBytes));
  return { ours, pdfLibDefault };
};
