/** `hanbeon verify`, run as an auditor would (`npx hanbeon verify … --trust root.pem`): offline, on real signed results. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { projectRoot, runHanbeon } from '../support/cli.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedPdfFixture, type SignedPdfFixture } from '../support/signed-pdfs.ts';
import { describeCertificate } from '../../shared/seal/certificate.ts';
import { byteFlips, withoutTimestamp } from '../support/tamper-corpus.ts';

const hanbeon = (...args: string[]) => runHanbeon(args);

interface JsonReport {
  validatedAt: string;
  validationTime: string;
  trustAnchors: string[];
  files: { file: string; verdict: { conclusion: { indication: string; subIndication?: string; reason: string }; validationTime: string; sha256: string } }[];
  summary: { files: number; TOTAL_PASSED: number; TOTAL_FAILED: number; INDETERMINATE: number; filesPerSecond: number };
}

let fixture: SignedPdfFixture;
let work: string;
let rootPem: string;
let valid: string;
let tampered: string;
let otherRoot: string;
let missing: string;

const file = async (name: string, bytes: Uint8Array | string): Promise<string> => {
  const path = join(work, name);
  await writeFile(path, bytes);
  return path;
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hanbeon-verify-cli-'));
  fixture = await createSignedPdfFixture();
  const stranger = await createSignedPdfFixture();
  const pdf = await fixture.signPdf();
  rootPem = await file('root.pem', fixture.rootPem);
  valid = await file('valid.pdf', pdf);
  tampered = await file('tampered.pdf', byteFlips(pdf).find((t) => t.region === 'page-content')!.pdf);
  otherRoot = await file('other-root.pdf', await stranger.signPdf());
  missing = join(work, 'no-such-file.pdf');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('hanbeon verify', () => {
  it('passes a valid result with exit code 0 and details the signer, timestamp, chain and evidence', async () => {
    const { code, stdout } = await hanbeon('verify', valid, '--trust', rootPem);

    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^PASSED\\s+${valid.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+\\S`, 'm'));
    expect(stdout).toContain('보건복지부');
    expect(stdout).toMatch(/timestamp\s+\d{4}-\d{2}-\d{2}T/);
    expect(stdout).toMatch(/chain\s+.+→.+→/);
    expect(stdout).toContain('소득금액증명');
    expect(stdout).toMatch(/1 file\(s\): 1 passed, 0 failed, 0 indeterminate in [\d.]+ s \([\d.]+ files\/s\)/);
  });

  it('exits 1 when any file fails and names the sub-indication', async () => {
    const { code, stdout } = await hanbeon('verify', valid, tampered, '--trust', rootPem);

    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^FAILED\\s+\\S*tampered\\.pdf\\s+HASH_FAILURE: \\S`, 'm'));
    expect(stdout).toMatch(/^PASSED\s+\S*valid\.pdf/m);
  });

  it('exits 2 for a result under another root and for a missing file, and still reports the other files', async () => {
    const { code, stdout } = await hanbeon('verify', otherRoot, missing, valid, '--trust', rootPem);

    expect(code).toBe(2);
    const lines = stdout.split('\n').filter((l) => /^(PASSED|FAILED|INDETERMINATE) /.test(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^INDETERMINATE\s+\S*other-root\.pdf\s+[A-Z_]+: /);
    expect(lines[1]).toMatch(/^INDETERMINATE\s+\S*no-such-file\.pdf\s+FORMAT_FAILURE: cannot read file: /);
    expect(lines[2]).toMatch(/^PASSED\s+\S*valid\.pdf/);
  });

  it('prints one JSON document with the trust anchors, a verdict per file in order and a summary', async () => {
    const { code, stdout, stderr } = await hanbeon('verify', valid, tampered, missing, '--trust', rootPem, '--json');

    expect(code).toBe(1);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as JsonReport;
    expect(Number.isNaN(Date.parse(report.validatedAt))).toBe(false);
    expect(report.trustAnchors).toEqual([createHash('sha256').update(fixture.rootDer).digest('hex')]);
    expect(report.files.map((f) => [f.file, f.verdict.conclusion.indication])).toEqual([
      [valid, 'TOTAL_PASSED'],
      [tampered, 'TOTAL_FAILED'],
      [missing, 'INDETERMINATE'],
    ]);
    expect(report.files[0]!.verdict.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.summary).toMatchObject({ files: 3, TOTAL_PASSED: 1, TOTAL_FAILED: 1, INDETERMINATE: 1 });
  });

  it('validates at the time given with --at: a signature without a timestamp passes while its seal is valid, not after', async () => {
    // Without a timestamp nothing proves when the signature existed, so --at decides (ETSI EN 319 102-1).
    const untimestamped = await file('no-timestamp.pdf', withoutTimestamp(await fixture.signPdf()));
    const { notAfter } = describeCertificate(fixture.agencySealCertificate());
    const during = new Date(fixture.start.getTime() + 86_400_000).toISOString();
    const after = new Date(notAfter.getTime() + 86_400_000).toISOString();

    const whileValid = await hanbeon('verify', untimestamped, '--trust', rootPem, '--json', '--at', during);
    const afterExpiry = await hanbeon('verify', untimestamped, '--trust', rootPem, '--json', '--at', after);

    const [whileReport, afterReport] = [whileValid, afterExpiry].map((r) => JSON.parse(r.stdout) as JsonReport);
    expect(whileReport!.validationTime).toBe(during);
    expect(whileReport!.files[0]!.verdict.validationTime).toBe(during);
    expect(whileReport!.files[0]!.verdict.conclusion.indication).toBe('TOTAL_PASSED');
    expect(whileValid.code).toBe(0);
    expect(afterReport!.files[0]!.verdict.validationTime).toBe(after);
    expect(afterReport!.files[0]!.verdict.conclusion.indication).toBe('INDETERMINATE');
    expect(afterExpiry.code).toBe(2);
  });

  it('verifies many files in one run, with a summary per indication and no progress bar when piped', async () => {
    const pdfs = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => file(`many-${i}.pdf`, await fixture.signPdf({ signingTime: new Date(fixture.start.getTime() + 60_000 * (i + 1)) }))),
    );

    const { code, stdout, stderr } = await hanbeon('verify', ...pdfs, tampered, missing, '--trust', rootPem);

    expect(code).toBe(1);
    expect(stdout.split('\n').filter((l) => /^(PASSED|FAILED|INDETERMINATE) /.test(l))).toHaveLength(14);
    expect(stdout).toMatch(/14 file\(s\): 12 passed, 1 failed, 1 indeterminate in [\d.]+ s \([\d.]+ files\/s\)/);
    // Piped: no carriage returns or escape codes anywhere, and nothing on stderr.
    expect(`${stdout}${stderr}`).not.toContain('\r');
    expect(`${stdout}${stderr}`).not.toContain('\u001b');
    expect(stderr).toBe('');
  });

  it('draws a progress bar on a terminal and erases it before the summary', async () => {
    const pdfs = await Promise.all(Array.from({ length: 3 }, async (_, i) => file(`tty-${i}.pdf`, await fixture.signPdf({ signingTime: new Date(fixture.start.getTime() + 60_000 * (i + 20)) }))));
    // util-linux `script` gives the command a pseudo-terminal, as a person's shell would.
    const command = [join(projectRoot, 'cli', 'hanbeon.ts'), 'verify', ...pdfs, '--trust', rootPem].map((arg) => `'${arg}'`).join(' ');

    const { code, stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
      cwd: projectRoot,
      env: { ...process.env, PATH: `${join(projectRoot, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` },
    }).then(({ stdout }) => ({ code: 0, stdout }), (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }));

    expect(code).toBe(0);
    const ESC = String.fromCharCode(27);
    expect(stdout).toContain(`] 3/3${ESC}[K`);
    expect(stdout).toContain(`\r[${'#'.repeat(30)}] 3/3`);
    // Erased ('\r' + clear to end of line) before the summary line is written.
    const erased = stdout.lastIndexOf(`\r${ESC}[K`);
    expect(erased).toBeGreaterThan(stdout.lastIndexOf('3/3'));
    expect(stdout.indexOf('3 file(s): 3 passed')).toBeGreaterThan(erased);
  });

  it.each([
    ['without --trust', () => ['verify', valid], /--trust/],
    ['without files', () => ['verify', '--trust', rootPem], /no files/],
    ['with --at that is not a time', () => ['verify', valid, '--trust', rootPem, '--at', 'yesterday'], /--at 'yesterday'.*ISO 8601/],
    ['with a trust file that does not exist', () => ['verify', valid, '--trust', join(work, 'nope.pem')], /cannot read the trust anchor file/],
    ['with a trust file that holds no certificate', () => ['verify', valid, '--trust', valid], /certificate/],
  ] as const)('refuses to run %s, with exit code 2 and usage', async (_case, args, message) => {
    const { code, stdout, stderr } = await hanbeon(...args());

    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('verify FILE… --trust ROOT.pem');
    expect(stdout).toBe('');
  });
});
