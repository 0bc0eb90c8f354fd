/**
 * The verifier against input crafted to hurt it: random damage to a real signed result, reference
 * and tree cycles, deep nesting, a deflate bomb. Each must end in a verdict — never an exception,
 * a hang or a blown stack — and damage inside the signed bytes must never pass.
 */
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { inflate } from '../../../../shared/pdf/verify/inflate.ts';
import { createPdfVerifier, PdfFormatError, type PdfVerifier } from '../../../../shared/pdf/verify/index.ts';
import { nodeVerificationCrypto } from '../../../../shared/pdf/verify/node-crypto.ts';
import { PdfDocument } from '../../../../shared/pdf/verify/pdf-document.ts';
import { createSignedPdfFixture } from '../../../support/signed-pdfs.ts';

let verifier: PdfVerifier;
let valid: Uint8Array;
let signedRange: { a: number; b: number };

/** A PDF from object bodies (numbered from 1) with a correct xref table; `trailer` is added to /Size. */
const handmadePdf = (objects: readonly string[], trailer: string): Uint8Array => {
  let body = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} ${trailer} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, 'latin1'));
};

beforeAll(async () => {
  const fixture = await createSignedPdfFixture();
  verifier = createPdfVerifier({ trustAnchors: [fixture.rootDer], crypto: nodeVerificationCrypto });
  valid = await fixture.signPdf({ applicantSeal: await fixture.issueApplicantSeal() });
  const match = /\/ByteRange \[0 (\d+) (\d+) \d+\]/.exec(Buffer.from(valid).toString('latin1'))!;
  signedRange = { a: Number(match[1]), b: Number(match[2]) };
}, 60_000);

describe('random damage', () => {
  it('never passes a result with any byte of its signed ranges changed, and always answers', async () => {
    await fc.assert(fc.asyncProperty(
      fc.nat({ max: valid.length - 1 }).filter((i) => i < signedRange.a || i >= signedRange.b),
      fc.integer({ min: 1, max: 255 }),
      async (offset, xor) => {
        const damaged = new Uint8Array(valid);
        damaged[offset] = damaged[offset]! ^ xor;
        const verdict = await verifier.verify(damaged);
        expect(verdict.conclusion.indication).not.toBe('TOTAL_PASSED');
      },
    ), { numRuns: 150 });
  });

  it('answers with a verdict for truncations and random splices anywhere', async () => {
    await fc.assert(fc.asyncProperty(
      fc.nat({ max: valid.length }), fc.nat({ max: valid.length }), fc.uint8Array({ maxLength: 64 }),
      async (cut, from, insert) => {
        const spliced = new Uint8Array([...valid.subarray(0, Math.min(cut, from)), ...insert, ...valid.subarray(Math.max(cut, from))]);
        const verdict = await verifier.verify(spliced);
        expect(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE']).toContain(verdict.conclusion.indication);
        if (insert.length > 0 || cut !== from) expect(verdict.conclusion.indication).not.toBe('TOTAL_PASSED');
      },
    ), { numRuns: 100 });
  });
});

describe('crafted structures', () => {
  it('ends on a field tree whose kids point back at themselves', async () => {
    const pdf = handmadePdf([
      '<< /Type /Catalog /AcroForm << /Fields [2 0 R] >> >>',
      '<< /FT /Sig /T (loop) /Kids [2 0 R 3 0 R] >>',
      '<< /Parent 2 0 R /Kids [2 0 R] >>',
    ], '/Root 1 0 R');

    const verdict = await verifier.verify(pdf);

    expect(verdict.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIGNED_DATA_NOT_FOUND' });
  });

  it('ends on references that point at each other', async () => {
    const pdf = handmadePdf(['2 0 R', '1 0 R'], '/Root 1 0 R');

    const verdict = await verifier.verify(pdf);

    expect(verdict.conclusion.indication).toBe('INDETERMINATE');
  });

  it('ends on an embedded-files name tree that contains itself', async () => {
    const pdf = handmadePdf([
      '<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>',
      '<< /Kids [2 0 R 2 0 R] >>',
    ], '/Root 1 0 R');

    const verdict = await verifier.verify(pdf);

    expect(verdict.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIGNED_DATA_NOT_FOUND' });
    expect(verdict.evidence).toEqual([]);
  });

  it('ends on an xref whose /Prev points at itself', async () => {
    const pdf = handmadePdf(['<< /Type /Catalog >>'], '/Root 1 0 R /Prev 9');
    const text = Buffer.from(pdf).toString('latin1');
    const xref = /startxref\n(\d+)/.exec(text)![1]!;
    const looped = new Uint8Array(Buffer.from(text.replace('/Prev 9', `/Prev ${xref}`), 'latin1'));

    const verdict = await verifier.verify(looped);

    expect(verdict.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIGNED_DATA_NOT_FOUND' });
  });

  it('refuses nesting deeper than the parser allows instead of overflowing the stack', async () => {
    const pdf = handmadePdf([`<< /Type /Catalog /Deep ${'['.repeat(100_000)}${']'.repeat(100_000)} >>`], '/Root 1 0 R');

    const verdict = await verifier.verify(pdf);

    expect(verdict.conclusion.indication).toBe('INDETERMINATE');
  });

  it('stops inflating an evidence.json that would inflate beyond the bound', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    await doc.attach(new Uint8Array(8 * 1024 * 1024), 'evidence.json', { mimeType: 'application/json' });
    const pdf = await doc.save();
    expect(pdf.length).toBeLessThan(100_000);

    const verdict = await verifier.verify(pdf);

    expect(verdict.checks?.find((c) => c.name === 'evidence')).toMatchObject({ ok: false, detail: expect.stringContaining('beyond') });
  });
});

describe('the PDF reader', () => {
  it('reads a file saved with object streams and an xref stream', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    doc.setTitle('object streams');
    const bytes = await doc.save({ useObjectStreams: true });
    expect(Buffer.from(bytes).toString('latin1')).toContain('/ObjStm');

    const document = await PdfDocument.open(bytes);
    const catalog = await document.dict(document.trailer.get('Root'));
    const pages = await document.dict(catalog?.get('Pages'));

    expect(document.recovered).toBe(false);
    expect(pages?.get('Count')).toBe(1);
  });

  it('recovers objects by scanning when the xref offsets are wrong', async () => {
    const pdf = handmadePdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Count 7 /Kids [] >>'], '/Root 1 0 R');
    const broken = new Uint8Array(Buffer.from(Buffer.from(pdf).toString('latin1').replace(/startxref\n\d+/, 'startxref\n3'), 'latin1'));

    const document = await PdfDocument.open(broken);
    const pages = await document.dict((await document.dict(document.trailer.get('Root')))?.get('Pages'));

    expect(document.recovered).toBe(true);
    expect(pages?.get('Count')).toBe(7);
  });
});

describe('inflate', () => {
  it('inflates whatever zlib deflates, at every level', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 0, max: 9 }), fc.boolean(), (data, level, repetitive) => {
      const input = repetitive ? new Uint8Array(Buffer.concat([Buffer.from(data), Buffer.from(data), Buffer.from(data)])) : data;
      expect(Buffer.from(inflate(deflateSync(input, { level }), 1 << 20)).equals(Buffer.from(input))).toBe(true);
    }), { numRuns: 200 });
  });

  it('refuses corrupt data with PdfFormatError and never throws anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
      try {
        inflate(new Uint8Array([0x78, 0x9c, ...data]), 1 << 16);
      } catch (error) {
        expect(error).toBeInstanceOf(PdfFormatError);
      }
    }), { numRuns: 500 });
  });
});
