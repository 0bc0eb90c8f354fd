/** Result rendering: the content model, the renderer and its errors. */
export { resultDocumentSchema, type ResultDocument } from './result-document.ts';
export { renderResultPdf, renderResultPdfBytes, type RenderOptions, type RenderedResult, type SealAppearance } from './render-result-pdf.ts';
export { UnrenderableTextError, DocumentTooLongError } from './render-errors.ts';
export { MAX_RESULT_PAGES, MAX_RESULT_CHARACTERS } from './result-layout.ts';
export { evidenceListDigest, verificationPayload } from './verification-code.ts';
export { loadFontPair, notoSansKrPaths, type FontPaths } from './font-program.ts';
