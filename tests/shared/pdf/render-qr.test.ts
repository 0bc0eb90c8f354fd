import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFRawStream, type PDFDocument } from 'pdf-lib';
import qrcode from 'qrcode-generator';
import { describe, expect, it } from 'vitest';
import { renderResultPdf, verificationPayload } from '../../../shared/pdf/render/index.ts';
import { sampleResultDocument } from '../../support/sample-result.ts';
import { encodeQr } from '../../../shared/pdf/render/qr-encoder.ts';
import { qrMatrix } from '../../../shared/pdf/render/verification-code.ts';

const run = promisify(execFile);

const hasZbar = (() => {
  try {
    execFileSync('zbarimg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** qrcode-generator's symbol for `payload` (byte mode, level M) as rows of booleans. */
const referenceMatrix = (payload: string): boolean[][] => {
  const code = qrcode(0, 'M');
  code.addData(payload, 'Byte');
  code.make();
  const size = code.getModuleCount();
  return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, column) => code.isDark(row, column)));
};

const matrixOf = (symbol: ReturnType<typeof encodeQr>): boolean[][] =>
  Array.from({ length: symbol.size }, (_, row) => Array.from({ length: symbol.size }, (_, column) => symbol.modules[row * symbol.size + column] === 1));

const pageContent = (doc: PDFDocument, index: number): string => {
  const contents = doc.getPage(index).node.Contents();
  const streams = (contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents]) as PDFRawStream[];
  return streams.map((stream) => inflateSync(stream.getContents()).toString('latin1')).join('\n');
};

/** Rebuilds the module matrix from the rectangles drawn inside the page's /QRCode marked content. */
const drawnMatrix = (content: string, size: number): boolean[][] => {
  const section = /\/QRCode BMC([\s\S]*?)EMC/.exec(content)![1]!;
  const matrix = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  for (const [, x, y, width, height] of section.matchAll(/(\d+) (\d+) (\d+) (\d+) re/g)) {
    expect(Number(height)).toBe(1);
    for (let column = Number(x); column < Number(x) + Number(width); column++) matrix[size - 1 - Number(y)]![column] = true;
  }
  return matrix;
};

const darkCount = (matrix: readonly (readonly boolean[])[]): number => matrix.flat().filter(Boolean).length;

describe('encodeQr', () => {
  it('builds, for some mask, exactly the symbol qrcode-generator builds, from version 1 to 25', () => {
    const versions = new Set<number>();
    for (let length = 1; length <= 1_000; length += 23) {
      const payload = `https://verify.example/${'0aZ-'.repeat(300)}`.slice(0, length);
      const reference = referenceMatrix(payload);
      const bytes = new TextEncoder().encode(payload);

      const matching = [0, 1, 2, 3, 4, 5, 6, 7].filter((mask) => JSON.stringify(matrixOf(encodeQr(bytes, { mask }))) === JSON.stringify(reference));

      expect(matching, `payload of ${length} bytes`).toHaveLength(1);
      versions.add(encodeQr(bytes).version);
    }
    expect(Math.max(...versions)).toBeGreaterThanOrEqual(25);
  });

  it('refuses a payload longer than a version-40 symbol holds', () => {
    expect(() => encodeQr(new Uint8Array(2_400))).toThrow(/received 2400 bytes for a QR code; expected at most 2331/);
  });
});

describe('the QR code on a result', () => {
  it('carries the result, the petition, the agency and the SHA-256 of the evidence list', async () => {
    const document = sampleResultDocument();

    const { qrPayload } = await renderResultPdf(document);

    const url = new URL(qrPayload);
    expect(`${url.origin}${url.pathname}`).toBe(document.verification.url);
    expect(url.searchParams.get('r')).toBe(document.verification.resultId);
    expect(url.searchParams.get('p')).toBe(document.petition.id);
    expect(url.searchParams.get('a')).toBe(document.issuingAgency.id);
    const expectedDigest = createHash('sha256')
      .update(document.evidence.map((e) => e.sha256).join('\n'))
      .digest('base64url');
    expect(url.searchParams.get('e')).toBe(expectedDigest);
  });

  it('draws every dark module of the payload symbol, and nothing else, as vector rectangles', async () => {
    const { doc, qrPayload } = await renderResultPdf(sampleResultDocument());
    const expected = qrMatrix(qrPayload);

    const drawn = drawnMatrix(pageContent(doc, doc.getPageCount() - 1), expected.length);

    expect(darkCount(drawn)).toBe(darkCount(expected));
    expect(drawn).toEqual(expected);
  });

  it('changes when any evidence digest changes', () => {
    const document = sampleResultDocument();
    const coordinates = {
      url: document.verification.url,
      resultId: document.verification.resultId,
      petitionId: document.petition.id,
      agencyId: document.issuingAgency.id,
    };

    const original = verificationPayload({ ...coordinates, evidenceSha256: document.evidence.map((e) => e.sha256) });
    const tampered = verificationPayload({ ...coordinates, evidenceSha256: document.evidence.map((e, i) => (i === 1 ? 'f'.repeat(64) : e.sha256)) });

    expect(tampered).not.toBe(original);
  });

  it.skipIf(!hasZbar)('is read back by a real scanner (zbarimg) from the rendered page', async () => {
    const { doc, qrPayload } = await renderResultPdf(sampleResultDocument());
    const dir = await mkdtemp(join(tmpdir(), 'hanbeon-qr-'));
    try {
      const pdf = join(dir, 'result.pdf');
      await writeFile(pdf, await doc.save());
      await run('pdftoppm', ['-r', '200', '-png', '-singlefile', pdf, join(dir, 'page')]);

      const { stdout } = await run('zbarimg', ['--quiet', '--raw', join(dir, 'page.png')]);

      expect(stdout.trim()).toBe(qrPayload);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
