/**
 * Top-to-bottom flow of content over A4 pages: a cursor that opens a new page when the next line
 * does not fit, and refuses to open more pages than a result may have.
 */
import { A4, type DrawOp } from './draw-ops.ts';
import { DocumentTooLongError } from './render-errors.ts';

export interface PageFrame {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** Margins leave room for the footer drawn under `bottom`. */
export const RESULT_PAGE_FRAME: PageFrame = { left: 56, right: A4.width - 56, top: A4.height - 52, bottom: 60 };

export class PageFlow {
  readonly pages: DrawOp[][] = [[]];
  /** Top of the next line box on the current page. */
  y: number;
  /** Called on every new page, e.g. to repeat a table's header row. */
  onNewPage: (() => void) | undefined;

  constructor(
    readonly frame: PageFrame,
    readonly maxPages: number,
  ) {
    this.y = frame.top;
  }

  get width(): number {
    return this.frame.right - this.frame.left;
  }

  /** Operations of the page being filled. */
  get ops(): DrawOp[] {
    return this.pages.at(-1)!;
  }

  get pageIndex(): number {
    return this.pages.length - 1;
  }

  /** Makes sure `height` points fit below the cursor, opening a new page if they do not. */
  ensure(height: number): void {
    if (this.y - height < this.frame.bottom && this.y < this.frame.top) this.newPage();
  }

  /** Moves the cursor down by `height`. */
  advance(height: number): void {
    this.y -= height;
  }

  newPage(): void {
    if (this.pages.length >= this.maxPages) {
      throw new DocumentTooLongError(`the result needs more than ${this.maxPages} pages; expected content that fits in ${this.maxPages} A4 pages`);
    }
    this.pages.push([]);
    this.y = this.frame.top;
    this.onNewPage?.();
  }
}
