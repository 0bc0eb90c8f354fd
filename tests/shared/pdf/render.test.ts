import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DocumentTooLongError,
  MAX_RESULT_PAGES,
  renderResultPdf,
  renderResultPdfBytes,
  UnrenderableTextError,
  type ResultDocument,
} from '../../../shared/pdf/render/index.ts';
import { sampleResultDocument } from '../../support/sample-result.ts';

const run = promisify(execFile);

// --- factories and tools -----------------------------------------------------------------------

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'hanbeon-render-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

let fileCount = 0;
const written = async (bytes: Uint8Array): Promise<string> => {
  const path = join(workDir, `result-${++fileCount}.pdf`);
  await writeFile(path, bytes);
  return path;
};

/** Runs a poppler/qpdf tool and returns its output; a non-zero exit rejects. */
const tool = async (command: string, args: string[]) => {
  const { stdout, stderr } = await run(command, args, { maxBuffer: 64 * 1024 * 1024 });
  return { stdout, stderr };
};

const textOf = async (path: string): Promise<string> => {
  const { stdout, stderr } = await tool('pdftotext', ['-enc', 'UTF-8', path, '-']);
  expect(stderr).not.toMatch(/Syntax (Error|Warning)/);
  return stdout;
};

const pageCount = async (path: string): Promise<number> => Number(/Pages:\s+(\d+)/.exec((await tool('pdfinfo', [path])).stdout)?.[1]);

const expectQpdfAccepts = async (path: string) => {
  const { stdout } = await tool('qpdf', ['--check', path]);
  expect(stdout).toContain('No syntax or stream encoding errors found');
};

const withFields = (fields: ResultDocument['petition']['fields'], base = sampleResultDocument()): ResultDocument => ({
  ...base,
  petition: { ...base.petition, fields },
});

const withApplicant = (applicantName: string, base = sampleResultDocument()): ResultDocument => ({
  ...base,
  petition: { ...base.petition, applicantName },
});

/** The decoded content stream(s) of page `index`. */
const pageContent = (doc: PDFDocument, index: number): string => {
  const contents = doc.getPage(index).node.Contents();
  const streams = (contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents]) as PDFRawStream[];
  return streams.map((stream) => inflateSync(stream.getContents()).toString('latin1')).join('\n');
};

const rendered = async (document: ResultDocument, options = {}) => written(await renderResultPdfBytes(document, options));

// --- the happy path --------------------------------------------------------------------------------

describe('renderResultPdf', () => {
  it('renders a result whose text comes back out: title, applicant, Hanja and every evidence SHA-256', async () => {
    const document = sampleResultDocument();

    const text = await textOf(await rendered(document));

    expect(text).toContain(document.title);
    expect(text).toContain(document.petition.applicantName);
    expect(text).toContain('國土交通部');
    expect(text).toContain(document.issuingAgency.name);
    expect(text).toContain(document.decision.label);
    for (const item of document.evidence) expect(text).toContain(item.sha256);
    expect(text).toContain(document.sealCertificate!.serial);
  });

  it('embeds both faces as subset, Unicode-mapped CID TrueType fonts', async () => {
    const path = await rendered(sampleResultDocument());

    const { stdout, stderr } = await tool('pdffonts', [path]);

    expect(stderr).toBe('');
    const rows = stdout.split('\n').filter((line) => /NotoSansKR/.test(line));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatch(/^[A-Z]{6}\+NotoSansKR-(Regular|Bold)\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    }
  });

  it('produces one A4 page that qpdf finds free of syntax and stream errors', async () => {
    const path = await rendered(sampleResultDocument());

    await expectQpdfAccepts(path);
    const { stdout } = await tool('pdfinfo', [path]);
    expect(stdout).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
    expect(await pageCount(path)).toBe(1);
  });

  it('adds the notice of appeal rights to a rejection notice', async () => {
    const base = sampleResultDocument();
    const rejection: ResultDocument = {
      ...base,
      kind: 'rejection-notice',
      title: '기초연금 신청 반려 통지서',
      decision: { ...base.decision, outcome: 'reject', label: '반려', reasons: ['소득인정액이 선정기준액을 초과합니다.'] },
    };

    const [rejectionText, resultText] = await Promise.all([textOf(await rendered(rejection)), textOf(await rendered(base))]);

    expect(rejectionText).toContain('행정심판');
    expect(resultText).not.toContain('행정심판');
  });

  it('keeps the seal off the page unless asked, and returns it as a form XObject placed on the last page', async () => {
    const { doc, sealAppearance } = await renderResultPdf(sampleResultDocument());

    const seal = doc.context.lookup(sealAppearance.ref);
    if (!(seal instanceof PDFRawStream)) throw new Error('expected the seal to be a stream');
    expect(seal.dict.get(PDFName.of('Subtype'))).toBe(PDFName.of('Form'));
    const sealContent = inflateSync(seal.getContents()).toString('latin1');
    expect(sealContent).toMatch(/0\.82 0\.12 0\.12 RG/); // red border
    expect(sealContent).toMatch(/\/F2 [\d.]+ Tf/); // bold glyphs
    expect(sealAppearance.pageIndex).toBe(doc.getPageCount() - 1);
    const { x, y, width, height } = sealAppearance.rect;
    const page = doc.getPage(sealAppearance.pageIndex);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(x + width).toBeLessThanOrEqual(page.getWidth());
    expect(y + height).toBeLessThanOrEqual(page.getHeight());
    expect(page.node.normalizedEntries().XObject.get(PDFName.of('Seal'))).toBeUndefined();

    const preview = await renderResultPdf(sampleResultDocument(), { sealOnPage: true });
    const previewPage = preview.doc.getPage(preview.sealAppearance.pageIndex);
    expect(previewPage.node.normalizedEntries().XObject.get(PDFName.of('Seal'))).toBeInstanceOf(PDFRef);
  });

  it('writes a seal that survives a save and reload with its glyphs embedded', async () => {
    const { doc, sealAppearance } = await renderResultPdf(sampleResultDocument(), { sealOnPage: true });
    const bytes = await doc.save({ useObjectStreams: false });

    const reloaded = await PDFDocument.load(bytes);
    const path = await written(bytes);

    expect(reloaded.context.lookup(sealAppearance.ref)).toBeInstanceOf(PDFRawStream);
    await expectQpdfAccepts(path);
    // The seal text is set in the bold face, so its syllables come back out of the page too.
    expect((await textOf(path)).replace(/\s/g, '')).toMatch(/[보건복지부장관인]{8}/);
  });
});

// --- long content ----------------------------------------------------------------------------------

describe('renderResultPdf with long content', () => {
  it('wraps a very long field and flows it onto further pages, all of it extractable', async () => {
    const sentence = '소득과 재산에 관한 설명을 길게 적습니다 ';
    const long = `${sentence.repeat(400)}끝`;
    const path = await rendered(withFields([{ label: '신청 사유', value: long }]));

    const pages = await pageCount(path);
    const text = await textOf(path);

    expect(pages).toBeGreaterThan(3);
    expect(pages).toBeLessThanOrEqual(MAX_RESULT_PAGES);
    // Lines and pages break inside the sentence: count it with whitespace and page footers taken out.
    const footer = `${sampleResultDocument().issuingAgency.name} · ${sampleResultDocument().title}`;
    const body = text.replaceAll(footer, '').replace(/\d+ ?\/ ?\d+/g, '').replace(/\s/g, '');
    expect(body.split(sentence.replace(/\s/g, '')).length - 1).toBe(400);
    expect(text).toContain(sampleResultDocument().title);
    await expectQpdfAccepts(path);
  });

  it('breaks a Latin word longer than the line rather than letting it overflow', async () => {
    const word = 'x'.repeat(400);
    const { doc } = await renderResultPdf(withFields([{ label: '메모', value: word }]));
    const path = await written(await doc.save());

    const { stdout } = await tool('pdftotext', ['-bbox', path, '-']);

    const right = Math.max(...[...stdout.matchAll(/xMax="([\d.]+)"/g)].map((m) => Number(m[1])));
    expect(right).toBeLessThanOrEqual(doc.getPage(0).getWidth() - 56 + 0.5);
    expect((await textOf(path)).replace(/\s/g, '')).toContain(word);
  });

  it('refuses 100,000 characters of free text with DocumentTooLongError, quickly', async () => {
    const started = performance.now();

    const attempt = renderResultPdf(withFields([{ label: '신청 사유', value: '가'.repeat(100_000) }]));

    await expect(attempt).rejects.toThrow(DocumentTooLongError);
    await expect(attempt).rejects.toThrow(/more than 20 pages/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses input beyond the character cap before laying anything out', async () => {
    const attempt = renderResultPdf(withFields([{ label: '신청 사유', value: 'a '.repeat(150_000) }]));

    await expect(attempt).rejects.toThrow(/300\d{3} characters; expected at most 200000/);
  });
});

// --- the Unicode policy ------------------------------------------------------------------------

describe('renderResultPdf Unicode policy', () => {
  it('refuses an emoji in the applicant name with UnrenderableTextError naming field, code point and font', async () => {
    const attempt = renderResultPdf(withApplicant('김영희😀'));

    await expect(attempt).rejects.toThrow(UnrenderableTextError);
    await expect(attempt).rejects.toMatchObject({
      name: 'UnrenderableTextError',
      field: 'petition.applicantName',
      codePoint: 0x1f600,
      message: expect.stringMatching(/petition\.applicantName.*U\+1F600.*NotoSansKR-Bold/), // the name is set in bold
    });
  });

  it('refuses a Hebrew name and a control character in a core field', async () => {
    await expect(renderResultPdf(withApplicant('שלום'))).rejects.toMatchObject({ codePoint: 0x05e9, field: 'petition.applicantName' });
    const base = sampleResultDocument();
    await expect(renderResultPdf({ ...base, title: '결과\u0007통지서' })).rejects.toMatchObject({
      name: 'UnrenderableTextError',
      field: 'title',
      message: expect.stringContaining('U+0007, a control character'),
    });
  });

  it('draws emoji and right-to-left text in free text as 〓 and keeps the original as ActualText', async () => {
    const value = '좋아요 😀 שלום مرحبا done';
    const path = await rendered(withFields([{ label: '의견', value }]));

    const text = await textOf(path);

    await expectQpdfAccepts(path);
    expect(text).toContain('좋아요 😀');
    expect(text).toContain('done');
    for (const letter of ['ש', 'ל', 'ו', 'ם', 'م', 'ر', 'ح', 'ب', 'ا']) expect(text).toContain(letter);
  });

  it('shows the replacement marker where the glyph is missing', async () => {
    const { doc } = await renderResultPdf(withFields([{ label: '의견', value: '웃음😀' }]));

    const content = pageContent(doc, 0);

    // U+1F600 as UTF-16BE with BOM, wrapped around exactly one glyph.
    expect(content).toMatch(/\/Span <<\/ActualText <FEFFD83DDE00>>> BDC <[0-9A-F]{4}> Tj EMC/);
  });

  it('strips control characters from free text and turns CR LF into line breaks', async () => {
    const path = await rendered(withFields([{ label: '메모', value: '첫째\u0000줄\r\n둘째\u001b줄\t끝' }]));

    const text = await textOf(path);

    expect(text).toContain('첫째줄\n');
    expect(text).toContain('둘째줄 끝');
    await expectQpdfAccepts(path);
  });

  it('composes decomposed Hangul (NFD) before drawing it', async () => {
    const path = await rendered(withApplicant('김영희'.normalize('NFD')));

    expect(await textOf(path)).toContain('김영희');
  });

  it('draws KS X 1001 Hanja', async () => {
    const path = await rendered(withFields([{ label: '비고', value: '承認 國土交通部 大韓民國' }]));

    const text = await textOf(path);

    expect(text).toContain('承認 國土交通部 大韓民國');
    expect(text).not.toContain('〓');
  });
});
