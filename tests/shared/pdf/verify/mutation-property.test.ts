/**
 * Properties of the offline verifier under random damage to valid signed results: whatever happens to
 * the bytes (flipped, inserted, deleted, truncated, garbage spliced in, ranges duplicated), verify()
 * resolves with a well-formed verdict, and a file whose signed bytes changed is never TOTAL_PASSED.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPdfVerifier,
  FAILED_SUB_INDICATIONS,
  INDETERMINATE_SUB_INDICATIONS,
  type Check,
  type Conclusion,
  type PdfVerdict,
} from '../../../../shared/pdf/verify/index.ts';
import { nodeVerificationCrypto } from '../../../../shared/pdf/verify/node-crypto.ts';
import { createSignedPdfFixture } from '../../../support/signed-pdfs.ts';
import { changesSignedBytes, signedRangesOf } from '../../../support/tamper-corpus.ts';

// --- factories ---------------------------------------------------------------------------------

const fixture = await createSignedPdfFixture();
const originals = [await fixture.signPdf(), await fixture.signPdf({ applicantSeal: await fixture.issueApplicantSeal() })] as const;
const verifier = createPdfVerifier({ trustAnchors: [fixture.rootDer], crypto: nodeVerificationCrypto });

type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly masks: readonly number[] }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'splice'; readonly at: number; readonly length: number; readonly garbage: Uint8Array }
  | { readonly kind: 'duplicate'; readonly from: number; readonly length: number; readonly at: number };

/** Offsets spread over the file, with extra weight on the parts a verifier parses: ByteRange, /Contents, xref, trailer. */
const offsetIn = (pdf: Uint8Array): fc.Arbitrary<number> => {
  const text = Buffer.from(pdf).toString('latin1');
  const [[, firstEnd], [secondStart]] = signedRangesOf(pdf);
  const landmarks = [0, text.lastIndexOf('/ByteRange'), firstEnd, firstEnd + 1, firstEnd + 40, secondStart - 1, secondStart, text.lastIndexOf('xref'), text.lastIndexOf('trailer'), text.lastIndexOf('startxref'), pdf.length - 1];
  return fc.oneof(
    { weight: 3, arbitrary: fc.nat({ max: pdf.length - 1 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...landmarks), fc.integer({ min: -8, max: 8 })).map(([at, delta]) => Math.min(pdf.length - 1, Math.max(0, at + delta))) },
  );
};

const mutationOf = (pdf: Uint8Array): fc.Arbitrary<Mutation> => {
  const at = offsetIn(pdf);
  const run = fc.integer({ min: 1, max: 64 });
  // Printable PDF syntax as well as binary: garbage that looks like tokens reaches deeper into a parser.
  const garbage = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    fc.constantFrom('<<', '>>', '/ByteRange [0 1 2 3]', ' 0 obj', 'endobj', 'xref\n0 1\n', '%%EOF\n', 'trailer << /Size 1 >>', '/Contents <00>', '(', ')').map((s) => new TextEncoder().encode(s)),
  );
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, masks: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('insert' as const), at, bytes: garbage }),
    fc.record({ kind: fc.constant('delete' as const), at, length: run }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('splice' as const), at, length: run, garbage }),
    fc.record({ kind: fc.constant('duplicate' as const), from: at, length: fc.integer({ min: 1, max: 4096 }), at }),
  );
};

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Applies one mutation; never mutates its input. */
const apply = (pdf: Uint8Array, m: Mutation): Uint8Array => {
  const at = Math.min(m.at, pdf.length);
  switch (m.kind) {
    case 'flip': {
      const copy = new Uint8Array(pdf);
      m.masks.forEach((mask, i) => {
        if (at + i < copy.length) copy[at + i] = copy[at + i]! ^ mask;
      });
      return copy;
    }
    case 'insert':
      return concat(pdf.subarray(0, at), m.bytes, pdf.subarray(at));
    case 'delete':
      return concat(pdf.subarray(0, at), pdf.subarray(at + m.length));
    case 'truncate':
      return pdf.slice(0, at);
    case 'splice':
      return concat(pdf.subarray(0, at), m.garbage, pdf.subarray(at + m.length));
    case 'duplicate':
      return concat(pdf.subarray(0, at), pdf.subarray(m.from, m.from + m.length), pdf.subarray(at));
  }
};

const damaged = fc.constantFrom(...originals).chain((original) =>
  fc.array(mutationOf(original), { minLength: 1, maxLength: 3 }).map((mutations) => ({ original, mutations, pdf: mutations.reduce(apply, original) })),
);

// --- what a well-formed verdict is ----------------------------------------------------------------

const expectWellFormedConclusion = (c: Conclusion): void => {
  expect(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE']).toContain(c.indication);
  expect(typeof c.reason).toBe('string');
  expect(c.reason.length).toBeGreaterThan(0);
  if (c.indication === 'TOTAL_FAILED') expect(FAILED_SUB_INDICATIONS).toContain(c.subIndication);
  if (c.indication === 'INDETERMINATE') expect(INDETERMINATE_SUB_INDICATIONS).toContain(c.subIndication);
};

const expectWellFormedChecks = (checks: readonly Check[]): void => {
  for (const check of checks) {
    expect(typeof check.name).toBe('string');
    expect(typeof check.ok).toBe('boolean');
    expect(typeof check.detail).toBe('string');
  }
};

const expectWellFormed = (verdict: PdfVerdict, pdf: Uint8Array): void => {
  expectWellFormedConclusion(verdict.conclusion);
  expect(verdict.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
  expect(verdict.bytes).toBe(pdf.length);
  expect(Number.isNaN(Date.parse(verdict.validationTime))).toBe(false);
  expect(Array.isArray(verdict.signatures)).toBe(true);
  for (const signature of verdict.signatures) {
    expectWellFormedConclusion(signature.conclusion);
    expect(typeof signature.coversWholeDocument).toBe('boolean');
    expectWellFormedChecks(signature.checks);
  }
  if (verdict.applicantSeal) {
    expectWellFormedConclusion(verdict.applicantSeal.conclusion);
    expectWellFormedChecks(verdict.applicantSeal.checks);
  }
  expect(Array.isArray(verdict.evidence)).toBe(true);
  // The file passes only if every part passed: the whole is the worst of its parts.
  if (verdict.conclusion.indication === 'TOTAL_PASSED') {
    expect(verdict.signatures.length).toBeGreaterThan(0);
    expect(verdict.signatures.every((s) => s.conclusion.indication === 'TOTAL_PASSED')).toBe(true);
  }
  // A report that cannot be serialised is no report: the CLI prints it as JSON.
  expect(JSON.parse(JSON.stringify(verdict))).toEqual(verdict);
};

const PROPERTY_TIMEOUT = 120_000;

// --- properties -----------------------------------------------------------------------------------

describe('the verifier under random damage to valid results', () => {
  it('passes both originals, so that a failure below is the damage and not the fixture', async () => {
    for (const original of originals) expect((await verifier.verify(original)).conclusion.indication).toBe('TOTAL_PASSED');
  });

  it(
    'always resolves with a well-formed verdict, and never passes a file whose signed bytes changed',
    async () => {
      await fc.assert(
        fc.asyncProperty(damaged, async ({ original, pdf }) => {
          const verdict = await verifier.verify(pdf);

          expectWellFormed(verdict, pdf);
          if (changesSignedBytes(original, pdf)) expect(verdict.conclusion.indication).not.toBe('TOTAL_PASSED');
        }),
        { numRuns: 200 },
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'resolves with a well-formed, non-passing verdict for bytes that are not a PDF at all',
    async () => {
      const notPdf = fc.oneof(
        fc.uint8Array({ maxLength: 2048 }),
        fc.string({ maxLength: 512 }).map((s) => new TextEncoder().encode(`%PDF-1.7\n${s}\n%%EOF\n`)),
      );
      await fc.assert(
        fc.asyncProperty(notPdf, async (pdf) => {
          const verdict = await verifier.verify(pdf);

          expectWellFormed(verdict, pdf);
          expect(verdict.conclusion.indication).not.toBe('TOTAL_PASSED');
        }),
        { numRuns: 50 },
      );
    },
    PROPERTY_TIMEOUT,
  );
});
