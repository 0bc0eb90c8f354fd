/**
 * Issue 3's benchmark: a signed result per document — render + prepare (seal widget, DSS) + PAdES
 * B-T signing with an RFC 3161 timestamp, on the local hierarchy production uses (encrypted key
 * store, trust manifest, local TSA) — and, in the same run, the two baselines the issue names:
 *  (a) the same page drawn with pdf-lib's own font-subset embedding (render only, no signing);
 *  (b) `@signpdf/signpdf` with a P12Signer (RSA-2048, node-forge PKCS#7, no timestamp) signing the
 *      same rendered page, placeholder added by `@signpdf/placeholder-pdf-lib`.
 * Before timing, each output is checked once with pdfsig, so a broken signature is never timed.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';
import forge from 'node-forge';
import { preparePdfForSigning, signPreparedPdf } from '../../shared/pdf/pades/index.ts';
import { notoSansKrPaths, renderResultPdf } from '../../shared/pdf/render/index.ts';
import type { ResultDocument } from '../../shared/pdf/render/result-document.ts';
import { LocalKeyStore } from '../../shared/seal/local-key-store-signer.ts';
import type { SealingIdentity, TimestampAuthority } from '../../shared/seal/sealing-identity.ts';
import { LocalTimestampAuthority } from '../../shared/seal/timestamp-authority.ts';
import { createTrustHierarchy, sealingIdentityFor } from '../../shared/seal/trust-hierarchy.ts';
import { sampleResultDocument } from '../support/sample-result.ts';
import { renderWithPdfLibFonts } from './render-measure.ts';
import { percentile } from './stats.ts';

const run = promisify(execFile);

export interface Timing {
  readonly runs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface SigningMeasurement {
  /** Ours, per document: render + prepare + sign (with timestamp). */
  readonly oursRenderAndSign: Timing;
  /** Ours, the signing step alone (signPreparedPdf: CMS, ECDSA P-256 signature, RFC 3161 timestamp). */
  readonly oursSign: Timing;
  /** Size of our signed PDF. */
  readonly oursBytes: number;
  /** (a) pdf-lib's default font-subset embedding of the same page, render only. */
  readonly pdfLibRender: Timing;
  readonly pdfLibBytes: number;
  /** (b) @signpdf/signpdf + P12Signer (RSA-2048, no timestamp) signing the same rendered page. */
  readonly signpdfSign: Timing;
  readonly signpdfBytes: number;
  /** (a) p50 ÷ ours render + sign p50: the issue asks ≥ 5. */
  readonly renderRatio: number;
  /** Ours signing p50 ÷ (b) p50: the issue asks ≤ 1. */
  readonly signRatio: number;
}

export interface SigningOptions {
  /** Timed documents of ours and of (b). @default 200 */
  readonly runs?: number;
  /** Timed documents of (a), which is slow. @default 20 */
  readonly baselineRuns?: number;
  /** Untimed documents of each before timing (at most 3 for (a)). @default 20 */
  readonly warmup?: number;
}

const AGENCY = 'mois';
const REASON = '기초연금 수급 신청 결과';
const P12_PASSPHRASE = 'bench';

const summarize = (times: number[]): Timing => {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { runs: sorted.length, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)) };
};

/** The local hierarchy exactly as the platform builds it: encrypted key files, manifest, agency seal, local TSA. */
const localHierarchy = async (directory: string): Promise<{ identity: SealingIdentity; timestampAuthority: TimestampAuthority }> => {
  const store = new LocalKeyStore({ directory: join(directory, 'keys'), passphrase: randomBytes(16).toString('hex') });
  const keys = (name: string) => store.openOrCreate(name);
  const manifest = await createTrustHierarchy({ keys, agencies: [{ id: AGENCY, name: '행정안전부' }], clock: () => new Date() });
  const identity = await sealingIdentityFor(manifest, `agency:${AGENCY}`, keys);
  const tsa = await sealingIdentityFor(manifest, 'tsa', keys);
  return { identity, timestampAuthority: new LocalTimestampAuthority({ identity: tsa }) };
};

/** An RSA-2048 key and self-signed certificate as a PKCS#12 (node-forge's PKCS#7 signs with RSA only). */
const rsaP12 = (): Buffer => {
  // node:crypto generates the key (forge's pure-JS RSA keygen takes seconds); forge builds cert and P12.
  const { privateKey: pem } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const privateKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.rsa.setPublicKey(privateKey.n, privateKey.e);
  certificate.serialNumber = '01';
  certificate.validity.notBefore = new Date(Date.now() - 86_400_000);
  certificate.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const name = [{ name: 'commonName', value: 'signpdf baseline' }, { name: 'countryName', value: 'KR' }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.sign(privateKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(privateKey, [certificate], P12_PASSPHRASE, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
};

/** Our path for one document; returns the signed bytes and the time of the whole and of the signing step. */
const signOurs = async (document: ResultDocument, identity: SealingIdentity, timestampAuthority: TimestampAuthority) => {
  const started = performance.now();
  const signingTime = new Date();
  const { doc, sealAppearance } = await renderResultPdf(document);
  const prepared = await preparePdfForSigning(doc, { identity, appearance: sealAppearance, reason: REASON, signingTime });
  const signStarted = performance.now();
  const signed = await signPreparedPdf(prepared, { identity, timestampAuthority, signingTime });
  const ended = performance.now();
  return { pdf: signed.pdf, totalMs: ended - started, signMs: ended - signStarted };
};

/** The same rendered page with a @signpdf placeholder (widget on the seal's rectangle), saved like ours. */
const signpdfPrepared = async (document: ResultDocument): Promise<Buffer> => {
  const { doc, sealAppearance } = await renderResultPdf(document);
  const { x, y, width, height } = sealAppearance.rect;
  pdflibAddPlaceholder({
    pdfDoc: doc,
    pdfPage: doc.getPage(sealAppearance.pageIndex),
    reason: REASON,
    contactInfo: '',
    name: '행정안전부',
    location: '',
    widgetRect: [x, y, x + width, y + height],
  });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
};

/** pdfsig's report on `pdf` without certificate validation (no NSS trust store): the signature's maths only. */
const pdfsigReport = async (directory: string, name: string, pdf: Uint8Array): Promise<string> => {
  const path = join(directory, name);
  await writeFile(path, pdf);
  try {
    return (await run('pdfsig', ['-nocert', path])).stdout;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; code?: number };
    throw new Error(`pdfsig -nocert ${name} exited ${String(failure.code)}: ${failure.stderr ?? ''}${failure.stdout ?? ''}`, { cause: error });
  }
};

const expectReport = (report: string, expected: RegExp, what: string): void => {
  if (!expected.test(report)) throw new Error(`pdfsig on ${what} printed:\n${report}\nexpected a line matching ${expected.source}; refusing to time a broken signature`);
};

/** Times render + sign of ours against (a) pdf-lib's font embedding and (b) @signpdf + P12, in one process. */
export async function measureSigning(options: SigningOptions = {}): Promise<SigningMeasurement> {
  const runs = options.runs ?? 200;
  const baselineRuns = options.baselineRuns ?? 20;
  const warmup = options.warmup ?? 20;
  const document = sampleResultDocument();
  const directory = await mkdtemp(join(tmpdir(), 'hanbeon-bench-signing-'));
  try {
    const { identity, timestampAuthority } = await localHierarchy(directory);
    const p12 = rsaP12();
    // A P12Signer reads its P12 from a forge buffer that sign() consumes: one signer per signature.
    const signer = () => new P12Signer(p12, { passphrase: P12_PASSPHRASE });
    const signpdf = new SignPdf();
    const paths = notoSansKrPaths();
    const fontBytes = { regular: await readFile(paths.regular), bold: await readFile(paths.bold) };

    // Sanity, once: both signatures verify (maths only: neither root is in an NSS store here).
    const ourPdf = (await signOurs(document, identity, timestampAuthority)).pdf;
    const ourReport = await pdfsigReport(directory, 'ours.pdf', ourPdf);
    expectReport(ourReport, /Signature Validation: Signature is Valid\./, 'our signed result');
    expectReport(ourReport, /Total document signed/, 'our signed result');
    const withPlaceholder = await signpdfPrepared(document);
    const theirPdf = await signpdf.sign(withPlaceholder, signer());
    expectReport(await pdfsigReport(directory, 'signpdf.pdf', theirPdf), /Signature Validation: Signature is Valid\./, 'the @signpdf result');

    // Ours: the whole per-document path, and the signing step within it.
    for (let i = 0; i < warmup; i++) await signOurs(document, identity, timestampAuthority);
    const totals: number[] = [];
    const signs: number[] = [];
    let oursBytes = 0;
    for (let i = 0; i < runs; i++) {
      const { pdf, totalMs, signMs } = await signOurs(document, identity, timestampAuthority);
      totals.push(totalMs);
      signs.push(signMs);
      oursBytes = pdf.length;
    }

    // (a) pdf-lib's own font-subset embedding of the same page.
    for (let i = 0; i < Math.min(warmup, 3); i++) await renderWithPdfLibFonts(document, fontBytes);
    const pdfLibTimes: number[] = [];
    let pdfLibBytes = 0;
    for (let i = 0; i < baselineRuns; i++) {
      const started = performance.now();
      pdfLibBytes = (await renderWithPdfLibFonts(document, fontBytes)).length;
      pdfLibTimes.push(performance.now() - started);
    }

    // (b) @signpdf signing the same page: only sign() is timed, on the same placeholder PDF each time.
    for (let i = 0; i < warmup; i++) await signpdf.sign(withPlaceholder, signer());
    const signpdfTimes: number[] = [];
    let signpdfBytes = 0;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      signpdfBytes = (await signpdf.sign(withPlaceholder, signer())).length;
      signpdfTimes.push(performance.now() - started);
    }

    const oursRenderAndSign = summarize(totals);
    const oursSign = summarize(signs);
    const pdfLibRender = summarize(pdfLibTimes);
    const signpdfSign = summarize(signpdfTimes);
    return {
      oursRenderAndSign, oursSign, oursBytes, pdfLibRender, pdfLibBytes, signpdfSign, signpdfBytes,
      renderRatio: pdfLibRender.p50Ms / oursRenderAndSign.p50Ms,
      signRatio: oursSign.p50Ms / signpdfSign.p50Ms,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
