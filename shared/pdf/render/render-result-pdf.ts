/**
 * Renders a result notice to an unsigned A4 PDF (pdf-lib document) in Noto Sans KR, embedded as
 * subsets of our own making: the fonts are parsed once per process and each document only copies
 * the glyphs it uses (see subset-font-embedding.ts; pdf-lib's embedFont costs 90–250 ms a document).
 *
 * Unicode policy (text-policy.ts): core fields that hold a character the font lacks, or a control
 * character, fail with UnrenderableTextError; free text (petition field values, reasons) shows
 * 〓 for such characters and keeps the original as /ActualText. Content beyond MAX_RESULT_PAGES
 * pages or MAX_RESULT_CHARACTERS characters fails with DocumentTooLongError. Nothing else is
 * thrown for text, so the outcome is a valid PDF or one of these named errors.
 *
 * The seal (직인) is returned as a form XObject with its place on the page, for the PAdES signer
 * to use as the appearance of the signature widget; it is not drawn on the page itself unless
 * asked, so an unsigned file never looks sealed.
 */
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, type PDFRef } from 'pdf-lib';
import { A4 } from './draw-ops.ts';
import { loadFontPair, type FontPaths } from './font-program.ts';
import { paintContent, type DocumentFonts } from './paint-content.ts';
import { resultDocumentSchema, type ResultDocument } from './result-document.ts';
import { layoutResult } from './result-layout.ts';
import { SEAL_SIZE, sealOps } from './seal-appearance.ts';
import { SubsetFontEmbedding } from './subset-font-embedding.ts';
import { Typesetter } from './typesetter.ts';

export interface RenderOptions {
  /** TrueType faces to set the result in. @default Noto Sans KR Regular and Bold */
  readonly fonts?: FontPaths;
  /** Also draw the seal in the page content (previews). @default false — the signature widget shows it */
  readonly sealOnPage?: boolean;
  /** Creation date in the document information. @default now */
  readonly renderedAt?: Date;
}

/** The seal as a form XObject, and where on which page the signer should place it. */
export interface SealAppearance {
  readonly ref: PDFRef;
  /** Widget rectangle in points, origin at the lower left of the page (the shape shared/pdf/pades takes). */
  readonly rect: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly pageIndex: number;
}

export interface RenderedResult {
  readonly doc: PDFDocument;
  readonly sealAppearance: SealAppearance;
  /** The text encoded in the QR code. */
  readonly qrPayload: string;
}

const REGULAR_FONT = 'F1';
const BOLD_FONT = 'F2';
const SEAL_XOBJECT = 'Seal';

/** Renders `input` to an unsigned PDF document; throws UnrenderableTextError, DocumentTooLongError or a ZodError for malformed input. */
export const renderResultPdf = async (input: ResultDocument, options: RenderOptions = {}): Promise<RenderedResult> => {
  const document = resultDocumentSchema.parse(input);
  const fonts = loadFontPair(options.fonts);
  const layout = layoutResult(document, fonts);

  const pdf = await PDFDocument.create({ updateMetadata: false });
  const renderedAt = options.renderedAt ?? new Date();
  pdf.setTitle(document.title);
  pdf.setAuthor(document.issuingAgency.name);
  pdf.setSubject(`${document.petition.typeName} ${document.petition.id}`);
  pdf.setLanguage('ko-KR');
  pdf.setCreator('hanbeon');
  pdf.setProducer('hanbeon');
  pdf.setCreationDate(renderedAt);
  pdf.setModificationDate(renderedAt);

  const context = pdf.context;
  const documentFonts: DocumentFonts = {
    regular: new SubsetFontEmbedding(fonts.regular, context, REGULAR_FONT),
    bold: new SubsetFontEmbedding(fonts.bold, context, BOLD_FONT),
  };

  const sealRef = context.register(
    context.stream(deflateSync(paintContent(sealOps(layout.sealText, new Typesetter(fonts)), documentFonts)), {
      Type: 'XObject',
      Subtype: 'Form',
      BBox: [0, 0, SEAL_SIZE, SEAL_SIZE],
      Resources: { Font: { [BOLD_FONT]: documentFonts.bold.ref } },
      Filter: 'FlateDecode',
    }),
  );
  const [sealX, sealY] = layout.seal.rect;

  layout.pages.forEach((ops, i) => {
    const page = pdf.addPage([A4.width, A4.height]);
    let content = paintContent(ops, documentFonts);
    if (options.sealOnPage && i === layout.seal.pageIndex) {
      content += `q 1 0 0 1 ${sealX.toFixed(3)} ${sealY.toFixed(3)} cm /${SEAL_XOBJECT} Do Q\n`;
      page.node.setXObject(PDFName.of(SEAL_XOBJECT), sealRef);
    }
    page.node.set(PDFName.Contents, context.register(context.stream(deflateSync(content, { level: 1 }), { Filter: 'FlateDecode' })));
    page.node.setFontDictionary(PDFName.of(REGULAR_FONT), documentFonts.regular.ref);
    page.node.setFontDictionary(PDFName.of(BOLD_FONT), documentFonts.bold.ref);
  });

  documentFonts.regular.embed();
  documentFonts.bold.embed();
  const [x, y, width, height] = layout.seal.rect;
  return { doc: pdf, sealAppearance: { ref: sealRef, rect: { x, y, width, height }, pageIndex: layout.seal.pageIndex }, qrPayload: layout.qrPayload };
};

/** Renders `input` and saves it as bytes (plain objects, no object streams): for tests, previews and measurements. */
export const renderResultPdfBytes = async (input: ResultDocument, options: RenderOptions = {}): Promise<Uint8Array> =>
  (await renderResultPdf(input, options)).doc.save({ useObjectStreams: false });
