import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderResultPdfBytes, UnrenderableTextError, type ResultDocument } from '../../../shared/pdf/render/index.ts';
import { sampleResultDocument } from '../../support/sample-result.ts';

const run = promisify(execFile);

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'hanbeon-render-prop-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Any code point (control, unassigned, astral, RTL) mixed with Hangul, Hanja and emoji graphemes. */
const anyText = fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), fc.constantFrom('한', '國', ' ', '\n', '😀', 'ש')), maxLength: 300 });

/** qpdf --check on `bytes`: resolves when qpdf finds no error, rejects with its report otherwise. */
const qpdfAccepts = async (bytes: Uint8Array, name: string): Promise<void> => {
  const path = join(workDir, `${name}.pdf`);
  await writeFile(path, bytes);
  const { stdout } = await run('qpdf', ['--check', path]);
  expect(stdout).toContain('No syntax or stream encoding errors found');
};

const withFreeText = (value: string): ResultDocument => {
  const base = sampleResultDocument();
  return {
    ...base,
    petition: { ...base.petition, fields: [{ label: '의견', value }] },
    decision: { ...base.decision, reasons: [value, `사유: ${value}`] },
  };
};

describe('renderResultPdf with arbitrary Unicode', () => {
  it('always yields a PDF that qpdf accepts for any free text', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(anyText, async (value) => {
        await qpdfAccepts(await renderResultPdfBytes(withFreeText(value)), `free-${n++}`);
      }),
      { numRuns: 30 },
    );
  });

  it('yields either a PDF that qpdf accepts or UnrenderableTextError for any applicant name', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(anyText.filter((value) => value.length > 0), async (name) => {
        const base = sampleResultDocument();
        let bytes: Uint8Array;
        try {
          bytes = await renderResultPdfBytes({ ...base, petition: { ...base.petition, applicantName: name } });
        } catch (error) {
          expect(error).toBeInstanceOf(UnrenderableTextError);
          expect((error as UnrenderableTextError).field).toBe('petition.applicantName');
          return;
        }
        await qpdfAccepts(bytes, `core-${n++}`);
      }),
      { numRuns: 30 },
    );
  });
});
