/**
 * The offline verifier: a PDF's bytes and the trust anchors in, a PdfVerdict out. It never
 * throws for any bytes — unreadable input is itself a verdict (INDETERMINATE FORMAT_FAILURE) —
 * and every walk over the input is bounded (see pdf-document.ts, pdf-signatures.ts, cms.ts).
 */
import { APPLICANT_SEAL_FILES, verifyApplicantSeal } from './applicant-seal.ts';
import { EVIDENCE_FILE, readEvidence } from './evidence.ts';
import { PdfDocument } from './pdf-document.ts';
import { findSignatureDictionaries, readDocumentSecurityStore, readEmbeddedFiles } from './pdf-signatures.ts';
import { byteRangeOf, verifySignature, type SignatureOutcome } from './signature.ts';
import { readTrustAnchors } from './trust-anchors.ts';
import { severity, type Check, type Conclusion, type PdfVerdict } from './verdict.ts';
import type { VerificationCrypto } from './verification-crypto.ts';
import { VerificationContext, VerifierCache, type KnownCertificate } from './verification-context.ts';
import { TrustAnchorError } from './errors.ts';

export interface PdfVerifierOptions {
  /** DER certificates the auditor trusts (the published root). */
  readonly trustAnchors: readonly Uint8Array[];
  readonly crypto: VerificationCrypto;
}

export interface VerifyPdfOptions {
  /** The time certificates and revocation are judged at when no timestamp proves an earlier one; default now. */
  readonly validationTime?: Date;
}

export interface PdfVerifier {
  /** Verifies one PDF; resolves with a verdict for any bytes. */
  verify(pdf: Uint8Array, options?: VerifyPdfOptions): Promise<PdfVerdict>;
}

/** Embedded files we read (applicant seal, evidence list) are small; a larger one is refused. */
const MAX_EMBEDDED_FILE_BYTES = 4 * 1024 * 1024;

const unreadable = (reason: string): Conclusion => ({ indication: 'INDETERMINATE', subIndication: 'FORMAT_FAILURE', reason });

/** The worst conclusion of the parts, the first among equals; its reason prefixed with the part's name. */
const combine = (parts: readonly { label: string; conclusion: Conclusion }[]): Conclusion => {
  const worst = parts.reduce<{ label: string; conclusion: Conclusion } | undefined>((w, p) => (!w || severity(p.conclusion) > severity(w.conclusion) ? p : w), undefined)!;
  if (worst.conclusion.indication === 'TOTAL_PASSED') return { indication: 'TOTAL_PASSED', reason: parts.map((p) => p.conclusion.reason).join('; ') };
  return { ...worst.conclusion, reason: `${worst.label}: ${worst.conclusion.reason}` };
};

const verifyDocument = async (pdf: Uint8Array, context: VerificationContext, sha256: string): Promise<PdfVerdict> => {
  const base = { sha256, bytes: pdf.length, validationTime: context.validationTime.toISOString() };
  let document: PdfDocument;
  try {
    document = await PdfDocument.open(pdf);
  } catch (error) {
    return { ...base, conclusion: unreadable(`not a readable PDF: ${(error as Error).message}`), signatures: [], evidence: [] };
  }
  const checks: Check[] = [];
  checks.push(document.recovered
    ? { name: 'pdf-structure', ok: false, detail: 'the cross-reference data is missing or broken; objects were found by scanning the file' }
    : { name: 'pdf-structure', ok: true, detail: 'cross-reference data read' });

  const dss = await readDocumentSecurityStore(document).catch((error: Error) => ({ certificates: [], crls: [], problems: [`the DSS is unreadable: ${error.message}`] }));
  const { certificates: dssCertificates, problems: certificateProblems } = await context.certificates(dss?.certificates ?? [], 'DSS');
  const { crls, problems: crlProblems } = await context.crls(dss?.crls ?? []);
  const dssProblems = [...(dss?.problems ?? []), ...certificateProblems, ...crlProblems];
  if (!dss) checks.push({ name: 'dss', ok: false, detail: 'no Document Security Store: certificates and CRLs come only from the CMS' });
  else if (dssProblems.length > 0) checks.push({ name: 'dss', ok: false, detail: dssProblems.join('; ') });
  else checks.push({ name: 'dss', ok: true, detail: `DSS with ${dssCertificates.length} certificates and ${crls.length} CRLs` });

  const dictionaries = await findSignatureDictionaries(document);
  const furthestSignedEnd = Math.max(0, ...dictionaries.map((d) => byteRangeOf(d.dict)).filter((r) => r !== undefined).map(([, , b, c]) => b + c));
  const outcomes: SignatureOutcome[] = [];
  for (const signature of dictionaries) outcomes.push(await verifySignature({ pdf, signature, dssCertificates, crls, furthestSignedEnd }, context));
  const signatures = outcomes.map((o) => o.verdict);

  const files = await readEmbeddedFiles(document, new Set([EVIDENCE_FILE, ...Object.values(APPLICANT_SEAL_FILES)]), MAX_EMBEDDED_FILE_BYTES)
    .catch(() => new Map<string, { problem: string }>([[EVIDENCE_FILE, { problem: 'the embedded files are unreadable' }]]));
  // The applicant seal is judged at the time of the signature that seals the whole file (else the last one).
  const sealing = outcomes.find((o) => o.verdict.coversWholeDocument) ?? outcomes.at(-1);
  const pool: KnownCertificate[] = [...(sealing?.certificates ?? [])];
  for (const c of dssCertificates) if (!pool.some((p) => p.sha256 === c.sha256)) pool.push(c);
  const applicantSeal = await verifyApplicantSeal({
    files, pool, crls,
    time: sealing?.bestTime ?? context.validationTime,
    timeIsProven: sealing?.timeIsProven ?? false,
    ...(sealing?.claimedTime ? { claimedTime: sealing.claimedTime } : {}),
  }, context);

  const evidenceFile = files.get(EVIDENCE_FILE);
  const { evidence, check } = readEvidence(evidenceFile && 'data' in evidenceFile ? evidenceFile.data : undefined, evidenceFile && 'problem' in evidenceFile ? evidenceFile.problem : undefined);
  checks.push(check);

  const modifications = furthestSignedEnd > 0 && furthestSignedEnd < pdf.length
    ? { modificationsAfterSigning: { bytes: pdf.length - furthestSignedEnd, revisions: countRevisions(pdf, furthestSignedEnd) } }
    : {};
  const conclusion: Conclusion = signatures.length === 0
    ? { indication: 'INDETERMINATE', subIndication: 'SIGNED_DATA_NOT_FOUND', reason: 'the file has no signature' }
    : combine([
      ...signatures.map((s, i) => ({ label: `signature ${s.field ? `'${s.field}'` : `#${i + 1}`}`, conclusion: s.conclusion })),
      ...(applicantSeal ? [{ label: 'applicant seal', conclusion: applicantSeal.conclusion }] : []),
    ]);
  return { ...base, conclusion, signatures, ...modifications, ...(applicantSeal ? { applicantSeal } : {}), evidence, checks };
};

/** Incremental updates after `from`: each ends with %%EOF. */
const countRevisions = (pdf: Uint8Array, from: number): number => {
  let count = 0;
  for (let i = pdf.indexOf(0x25, from); i >= 0 && i + 5 <= pdf.length; i = pdf.indexOf(0x25, i + 1)) {
    if (pdf[i + 1] === 0x25 && pdf[i + 2] === 0x45 && pdf[i + 3] === 0x4f && pdf[i + 4] === 0x46) count++;
  }
  return count;
};

/** A verifier over the given trust anchors; throws TrustAnchorError when one is not a certificate. */
export const createPdfVerifier = (options: PdfVerifierOptions): PdfVerifier => {
  const anchorDers = options.trustAnchors.map((der, index) => {
    try {
      return readTrustAnchors(der)[0]!;
    } catch (error) {
      throw new TrustAnchorError(`received trust anchor #${index + 1} that is not a DER certificate (${(error as Error).message})`);
    }
  });
  if (anchorDers.length === 0) throw new TrustAnchorError('received no trust anchors; expected at least the root certificate');
  const { crypto } = options;
  const cache = new VerifierCache();
  let anchors: Promise<KnownCertificate[]> | undefined;

  return {
    async verify(pdf, verifyOptions = {}) {
      const validationTime = verifyOptions.validationTime ?? new Date();
      if (!(validationTime instanceof Date) || Number.isNaN(validationTime.getTime())) throw new RangeError(`received validationTime ${String(validationTime)}; expected a valid Date`);
      const bytes = pdf instanceof Uint8Array ? pdf : new Uint8Array(0);
      let sha256 = '';
      try {
        anchors ??= new VerificationContext(crypto, cache, [], validationTime).certificates(anchorDers, 'trust anchor').then((r) => r.certificates);
        const context = new VerificationContext(crypto, cache, await anchors, validationTime);
        sha256 = await context.sha256Hex(bytes);
        return await verifyDocument(bytes, context, sha256);
      } catch (error) {
        anchors = undefined;
        return {
          conclusion: unreadable(`verification stopped: ${(error as Error)?.message ?? String(error)}`),
          sha256, bytes: bytes.length, validationTime: validationTime.toISOString(), signatures: [], evidence: [],
        };
      }
    },
  };
};
