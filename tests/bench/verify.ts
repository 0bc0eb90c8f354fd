/**
 * Issue 5's benchmark: offline verification throughput. A corpus of distinct valid signed results
 * (the fixture hierarchy: agency seal, TSA, CRLs in the DSS) is generated once in a temp dir; then,
 * over the same files,
 *  (a) `hanbeon verify --json` run as a child process, one process for the whole corpus, timed from
 *      spawn to exit (start-up included) — and every file must have passed;
 *  (b) `pdfsig` (poppler + NSS, only our root trusted), one process per file, one after another,
 *      as a script would call it — until the files run out or the time budget does.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSignedPdfFixture } from '../support/signed-pdfs.ts';
import { createPdfsig } from '../support/tamper-corpus.ts';

const run = promisify(execFile);

export interface VerifyMeasurement {
  readonly files: number;
  /** Seconds to generate (sign) the corpus, untimed for the comparison. */
  readonly generationSeconds: number;
  /** (a) wall seconds of the whole `hanbeon verify` run, process start-up included. */
  readonly cliSeconds: number;
  readonly cliPerSecond: number;
  /** What the CLI itself reports (verification only, no start-up). */
  readonly cliReportedPerSecond: number;
  /** (b) files pdfsig judged within the budget, and the wall seconds they took. */
  readonly pdfsigFiles: number;
  readonly pdfsigSeconds: number;
  readonly pdfsigPerSecond: number;
  /** cliPerSecond ÷ pdfsigPerSecond. */
  readonly ratio: number;
}

export interface VerifyBenchOptions {
  /** Distinct signed results in the corpus. @default 1000 */
  readonly files?: number;
  /** Wall-time budget for the pdfsig baseline. @default 90 */
  readonly pdfsigBudgetSeconds?: number;
}

interface CliReport {
  readonly files: readonly { readonly file: string; readonly verdict: { readonly conclusion: { readonly indication: string; readonly reason: string } } }[];
  readonly summary: { readonly filesPerSecond: number };
}

const root = join(import.meta.dirname, '..', '..');

/** Runs the real CLI (through its shebang, as `npx hanbeon` does) and collects stdout; rejects on spawn failure. */
const hanbeonVerify = (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(join(root, 'cli', 'hanbeon.ts'), ['verify', ...args], {
      cwd: root,
      env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });

/** Generates the corpus, then times (a) and (b) over it in this run. */
export async function measureVerify(options: VerifyBenchOptions = {}): Promise<VerifyMeasurement> {
  const count = options.files ?? 1000;
  const budgetMs = (options.pdfsigBudgetSeconds ?? 90) * 1000;
  const directory = await mkdtemp(join(tmpdir(), 'hanbeon-bench-verify-'));
  try {
    const generationStarted = performance.now();
    const fixture = await createSignedPdfFixture();
    const rootPath = join(directory, 'root.pem');
    await writeFile(rootPath, fixture.rootPem);
    const files: string[] = [];
    for (let i = 0; i < count; i++) {
      // A signing time per document makes every file distinct (its /M, its timestamp, its digest).
      const pdf = await fixture.signPdf({ signingTime: new Date(fixture.start.getTime() + 60_000 + i * 1000) });
      const path = join(directory, `result-${String(i).padStart(5, '0')}.pdf`);
      await writeFile(path, pdf);
      files.push(path);
    }
    const generationSeconds = (performance.now() - generationStarted) / 1000;

    // (a) one process for the whole corpus.
    const cliStarted = performance.now();
    const { code, stdout, stderr } = await hanbeonVerify([...files, '--trust', rootPath, '--json']);
    const cliSeconds = (performance.now() - cliStarted) / 1000;
    if (code !== 0) throw new Error(`hanbeon verify exited ${code} on the valid corpus; expected 0. stderr:\n${stderr.slice(0, 2000)}`);
    const report = JSON.parse(stdout) as CliReport;
    const failed = report.files.filter((f) => f.verdict.conclusion.indication !== 'TOTAL_PASSED');
    if (report.files.length !== count || failed.length > 0) {
      throw new Error(`hanbeon verify reported ${report.files.length} files, ${failed.length} not passed (first: ${failed[0]?.file} ${failed[0]?.verdict.conclusion.reason}); expected ${count} passed`);
    }

    // (b) pdfsig, one process per file, sequentially, within the budget.
    const pdfsig = await createPdfsig(directory, rootPath);
    const sanity = await pdfsig.judge(files[0]!);
    if (sanity.signatureValidation !== 'Signature is Valid' || sanity.certificateValidation !== 'Certificate is Trusted') {
      throw new Error(`pdfsig does not accept the corpus:\n${sanity.output}\nrefusing to time it`);
    }
    let pdfsigFiles = 0;
    const pdfsigStarted = performance.now();
    for (const file of files) {
      await run('pdfsig', ['-nssdir', `sql:${pdfsig.nssDir}`, file]);
      pdfsigFiles++;
      if (performance.now() - pdfsigStarted > budgetMs) break;
    }
    const pdfsigSeconds = (performance.now() - pdfsigStarted) / 1000;

    const cliPerSecond = count / cliSeconds;
    const pdfsigPerSecond = pdfsigFiles / pdfsigSeconds;
    return {
      files: count,
      generationSeconds,
      cliSeconds,
      cliPerSecond,
      cliReportedPerSecond: report.summary.filesPerSecond,
      pdfsigFiles,
      pdfsigSeconds,
      pdfsigPerSecond,
      ratio: cliPerSecond / pdfsigPerSecond,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
