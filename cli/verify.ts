/**
 * `hanbeon verify <files…> --trust root.pem`: the auditor's offline check of signed results. One
 * verifier for the whole run, so the chain and CRL work done for the first file serves the next
 * thousand; files are read a few at a time, and reported in the order given.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  createPdfVerifier,
  exitCodeFor,
  readTrustAnchors,
  type Conclusion,
  type Indication,
  type PdfVerdict,
  type PdfVerifier,
} from '../shared/pdf/verify/index.ts';
import { nodeVerificationCrypto } from '../shared/pdf/verify/node-crypto.ts';

export const VERIFY_USAGE = `  verify FILE… --trust ROOT.pem [--json] [--at ISO-TIME]
                                           validate signed results offline with only the root certificate
                                           (exit 0 all passed, 1 any failed, 2 indeterminate or unreadable)`;

/** Files read and verified at once: enough to overlap disk reads with verification, few enough to bound memory. */
const CONCURRENCY = 16;

/** What the summary counts: files per main indication. */
type Counts = Record<Indication, number>;

interface FileVerdict {
  readonly file: string;
  readonly verdict: PdfVerdict;
}

class VerifyUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyUsageError';
  }
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A verdict for a file that could not be read: INDETERMINATE, so the run goes on and exits 2. */
const unreadable = (error: unknown, validationTime: Date): PdfVerdict => ({
  conclusion: { indication: 'INDETERMINATE', subIndication: 'FORMAT_FAILURE', reason: `cannot read file: ${error instanceof Error ? error.message : String(error)}` },
  // No bytes were read, so no digest: an empty string, never the hash of nothing, which could be mistaken for the file's.
  sha256: '',
  bytes: 0,
  validationTime: validationTime.toISOString(),
  signatures: [],
  evidence: [],
});

const LABEL: Record<Indication, string> = { TOTAL_PASSED: 'PASSED', TOTAL_FAILED: 'FAILED', INDETERMINATE: 'INDETERMINATE' };

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** `PASSED  file  reason` or `FAILED  file  SUB_INDICATION: reason`. */
const lineOf = ({ file, verdict }: FileVerdict): string => {
  const { conclusion } = verdict;
  const why = conclusion.indication === 'TOTAL_PASSED' ? conclusion.reason : `${conclusion.subIndication}: ${conclusion.reason}`;
  return `${LABEL[conclusion.indication].padEnd(13)}  ${file}  ${oneLine(why)}`;
};

const conclusionText = (c: Conclusion): string => (c.indication === 'TOTAL_PASSED' ? `${c.indication} (${oneLine(c.reason)})` : `${c.indication} ${c.subIndication}: ${oneLine(c.reason)}`);

/** The detail printed under a single file: who signed, when, under which chain, the applicant seal and the evidence. */
const detailOf = (verdict: PdfVerdict): string[] => {
  const lines = [`  file sha256        ${verdict.sha256} (${verdict.bytes} bytes)`, `  validated at       ${verdict.validationTime}`];
  verdict.signatures.forEach((signature, index) => {
    lines.push(`  signature ${index + 1}${signature.field ? ` (${signature.field})` : ''}: ${conclusionText(signature.conclusion)}`);
    if (signature.signer) lines.push(`    signer           ${signature.signer.subject} (serial ${signature.signer.serialNumber})`);
    if (signature.claimedSigningTime) lines.push(`    claimed time     ${signature.claimedSigningTime}`);
    lines.push(`    timestamp        ${signature.timestampTime ?? 'none valid'}`);
    if (signature.chain?.length) lines.push(`    chain            ${signature.chain.map((c) => c.subject).join(' → ')}`);
    lines.push(`    covers           ${signature.coversWholeDocument ? 'the whole document' : 'NOT the whole document'}`);
    for (const check of signature.checks.filter((c) => !c.ok)) lines.push(`    failed check     ${check.name}: ${oneLine(check.detail)}`);
  });
  if (verdict.signatures.length === 0) lines.push('  signatures         none');
  if (verdict.modificationsAfterSigning) {
    lines.push(`  after signing      ${verdict.modificationsAfterSigning.bytes} bytes in ${verdict.modificationsAfterSigning.revisions} revision(s) appended`);
  }
  const seal = verdict.applicantSeal;
  if (seal) {
    lines.push(`  applicant seal     ${conclusionText(seal.conclusion)}`);
    if (seal.certificate) lines.push(`    holder           ${seal.certificate.subject} (serial ${seal.certificate.serialNumber})`);
    if (seal.petitionId) lines.push(`    petition         ${seal.petitionId}`);
    if (seal.applicationDigest) lines.push(`    application      ${seal.applicationDigest}`);
  }
  lines.push(`  evidence           ${verdict.evidence.length === 0 ? 'none listed' : `${verdict.evidence.length} document(s)`}`);
  for (const e of verdict.evidence) lines.push(`    ${e.document} — ${e.issuingAgency}, retrieved ${e.retrievedAt}, sha256 ${e.sha256}`);
  return lines;
};

/**
 * A one-line progress bar on stderr, only when a person is watching (stderr is a terminal): it stays
 * under the report lines — erased before each line is printed, drawn again after.
 */
const progressBar = (total: number, enabled: boolean) => {
  let visible = false;
  return {
    show: (done: number) => {
      if (!enabled) return;
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}\x1b[K`);
      visible = true;
    },
    /** Erases the bar so what follows starts on a clean line. */
    clear: () => {
      if (visible) process.stderr.write('\r\x1b[K');
      visible = false;
    },
  };
};

/**
 * Verifies `files` with one verifier, at most CONCURRENCY at a time; `onVerdict` sees each result in
 * input order as soon as it and all before it are known.
 */
const verifyAll = async (
  verifier: PdfVerifier,
  files: readonly string[],
  validationTime: Date,
  onVerdict: (result: FileVerdict, index: number) => void,
): Promise<FileVerdict[]> => {
  const results: (FileVerdict | undefined)[] = new Array(files.length);
  let next = 0;
  let reported = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      const file = files[index]!;
      let verdict: PdfVerdict;
      try {
        const bytes = await readFile(file);
        verdict = await verifier.verify(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { validationTime });
      } catch (error) {
        verdict = unreadable(error, validationTime);
      }
      results[index] = { file, verdict };
      while (reported < files.length && results[reported] !== undefined) {
        onVerdict(results[reported]!, reported);
        reported++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  return results as FileVerdict[];
};

const parse = (args: string[]) => {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { trust: { type: 'string' }, json: { type: 'boolean', default: false }, at: { type: 'string' } } });
  } catch (error) {
    throw new VerifyUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.trust === undefined) throw new VerifyUsageError('received no --trust; expected --trust ROOT.pem, the root certificate (PEM or DER) the results must chain to');
  if (positionals.length === 0) throw new VerifyUsageError('received no files; expected one or more signed PDFs to verify');
  let validationTime = new Date();
  if (values.at !== undefined) {
    // ISO 8601 with a date at least; Date.parse alone would also take "March 7" or "1".
    validationTime = new Date(values.at);
    if (!/^\d{4}-\d{2}-\d{2}/.test(values.at) || Number.isNaN(validationTime.getTime())) {
      throw new VerifyUsageError(`received --at '${values.at}'; expected an ISO 8601 time such as 2026-11-24T03:00:00Z`);
    }
  }
  return { files: positionals, trust: values.trust, json: values.json === true, validationTime };
};

const loadTrustAnchors = async (path: string): Promise<Uint8Array[]> => {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new VerifyUsageError(`cannot read the trust anchor file '${path}': ${(error as Error).message}`);
  }
  let anchors: Uint8Array[];
  try {
    anchors = readTrustAnchors(new Uint8Array(bytes));
  } catch (error) {
    throw new VerifyUsageError(`cannot read a certificate from '${path}': ${(error as Error).message}; expected a root certificate as PEM or DER`);
  }
  if (anchors.length === 0) throw new VerifyUsageError(`found no certificate in '${path}'; expected a root certificate as PEM or DER`);
  return anchors;
};

/** Runs `hanbeon verify …`; returns the exit code. */
export async function runVerify(args: string[]): Promise<number> {
  let options: ReturnType<typeof parse>;
  let trustAnchors: Uint8Array[];
  try {
    options = parse(args);
    trustAnchors = await loadTrustAnchors(options.trust);
  } catch (error) {
    if (!(error instanceof VerifyUsageError)) throw error;
    console.error(`hanbeon verify: ${error.message}\n\nusage:\n${VERIFY_USAGE}`);
    return 2;
  }
  const { files, json, validationTime } = options;
  const verifier = createPdfVerifier({ trustAnchors, crypto: nodeVerificationCrypto });
  const single = files.length === 1;
  const progress = progressBar(files.length, !json && !single && process.stderr.isTTY === true);
  const started = performance.now();
  const results = await verifyAll(verifier, files, validationTime, (result, index) => {
    if (json) return;
    progress.clear();
    console.log(lineOf(result));
    if (single) for (const line of detailOf(result.verdict)) console.log(line);
    progress.show(index + 1);
  });
  const seconds = (performance.now() - started) / 1000;
  progress.clear();

  const counts: Counts = { TOTAL_PASSED: 0, TOTAL_FAILED: 0, INDETERMINATE: 0 };
  for (const { verdict } of results) counts[verdict.conclusion.indication]++;
  const filesPerSecond = seconds > 0 ? results.length / seconds : results.length;
  const exitCode = exitCodeFor(results.map((r) => r.verdict.conclusion));
  if (json) {
    const report = {
      validatedAt: new Date().toISOString(),
      validationTime: validationTime.toISOString(),
      trustAnchors: trustAnchors.map(sha256Hex),
      files: results,
      summary: { files: results.length, ...counts, seconds: Math.round(seconds * 1000) / 1000, filesPerSecond: Math.round(filesPerSecond * 10) / 10, exitCode },
    };
    // Wait for the write: the caller exits the process right after, and a large report must not be cut.
    await new Promise<void>((resolve, reject) => process.stdout.write(`${JSON.stringify(report, null, 2)}\n`, (error) => (error ? reject(error) : resolve())));
  } else {
    console.log(
      `\n${results.length} file(s): ${counts.TOTAL_PASSED} passed, ${counts.TOTAL_FAILED} failed, ${counts.INDETERMINATE} indeterminate` +
        ` in ${seconds.toFixed(2)} s (${filesPerSecond.toFixed(1)} files/s)`,
    );
  }
  return exitCode;
}
