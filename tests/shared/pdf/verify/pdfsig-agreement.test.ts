/**
 * Our verifier and pdfsig (poppler + NSS, no code in common with us) judge the same corpus: a valid
 * signed result and altered copies of it (a byte changed in every region, truncations, incremental
 * updates appended after signing, the signer's certificate swapped inside the CMS), a result sealed
 * under another root, and revoked seals. Wherever pdfsig can judge, we must agree with it; wherever it
 * cannot, we must still never call an altered file TOTAL_PASSED.
 *
 * How pdfsig's words map to ours (first matching row wins):
 *
 * | pdfsig reports                                                       | we must conclude                                      |
 * |----------------------------------------------------------------------|-------------------------------------------------------|
 * | no signature (cannot open the file, or finds no signature)           | cannot judge — not TOTAL_PASSED                       |
 * | "Signature has not yet been verified" / "Unknown Validation Failure" | cannot judge (bad ByteRange, unparseable CMS) — not TOTAL_PASSED |
 * | "Digest Mismatch"                                                    | TOTAL_FAILED HASH_FAILURE; when pdfsig adds "Not total document signed" the ByteRange itself was changed, and FORMAT_FAILURE (failed or indeterminate: we refuse a ByteRange that does not frame /Contents before hashing) agrees too |
 * | "Signature is Invalid"                                               | TOTAL_FAILED (SIG_CRYPTO_FAILURE, HASH_FAILURE or FORMAT_FAILURE) or INDETERMINATE NO_SIGNING_CERTIFICATE_FOUND |
 * | "Signature is Valid" + "Not total document signed"                   | not TOTAL_PASSED (unsigned bytes could carry content)  |
 * | "Signature is Valid" + certificate not trusted                       | INDETERMINATE, a chain sub-indication                 |
 * | "Signature is Valid" + "Certificate is Trusted" + "Total document signed" | TOTAL_PASSED                                     |
 *
 * Cases only we can judge, asserted on our side alone: pdfsig validates the certificate against its
 * NSS store and never looks at the CRLs in the DSS (so a seal revoked before signing is "Trusted" to
 * it), never checks the RFC 3161 timestamp token, and knows nothing of the applicant seal inside the
 * result. For those rows pdfsig says valid and we say TOTAL_FAILED REVOKED or, for a damaged timestamp,
 * not TOTAL_PASSED.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { createPdfVerifier, type Conclusion, type Indication, type SubIndication } from '../../../../shared/pdf/verify/index.ts';
import { nodeVerificationCrypto } from '../../../../shared/pdf/verify/node-crypto.ts';
import { fromPem } from '../../../../shared/seal/der.ts';
import { createSignedPdfFixture } from '../../../support/signed-pdfs.ts';
import { createPdfsig, tamperCorpus, type PdfsigReport, type TamperedPdf } from '../../../support/tamper-corpus.ts';

/** What pdfsig's report obliges us to conclude; `judged: false` when pdfsig could not reach a verdict. */
interface Expectation {
  readonly row: string;
  readonly judged: boolean;
  readonly accepts: (c: Conclusion) => boolean;
}

const is = (indication: Indication, ...subIndications: SubIndication[]) => (c: Conclusion) =>
  c.indication === indication && (subIndications.length === 0 || (c.indication !== 'TOTAL_PASSED' && subIndications.includes(c.subIndication)));
const notPassed = (c: Conclusion) => c.indication !== 'TOTAL_PASSED';

/** The mapping table above, as code. */
const expectationFrom = (report: PdfsigReport): Expectation => {
  const { signatureValidation: signature, certificateValidation: certificate, totalDocumentSigned: total } = report;
  if (!report.foundSignature || signature === undefined) return { row: 'no signature found', judged: false, accepts: notPassed };
  if (/not yet been verified|Unknown Validation Failure/.test(signature)) return { row: signature, judged: false, accepts: notPassed };
  if (signature === 'Digest Mismatch') {
    if (total !== false) return { row: 'Digest Mismatch', judged: true, accepts: is('TOTAL_FAILED', 'HASH_FAILURE') };
    return { row: 'Digest Mismatch, not total', judged: true, accepts: (c) => is('TOTAL_FAILED', 'HASH_FAILURE', 'FORMAT_FAILURE')(c) || is('INDETERMINATE', 'FORMAT_FAILURE')(c) };
  }
  if (signature === 'Signature is Invalid') {
    return {
      row: 'Signature is Invalid',
      judged: true,
      accepts: (c) => is('TOTAL_FAILED', 'SIG_CRYPTO_FAILURE', 'HASH_FAILURE', 'FORMAT_FAILURE')(c) || is('INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND')(c),
    };
  }
  if (signature === 'Signature is Valid' && total === false) return { row: 'Valid, not total document signed', judged: true, accepts: notPassed };
  if (signature === 'Signature is Valid' && certificate !== 'Certificate is Trusted') {
    return { row: `Valid, ${certificate ?? 'certificate not validated'}`, judged: true, accepts: is('INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND', 'CERTIFICATE_CHAIN_GENERAL_FAILURE', 'CHAIN_CONSTRAINTS_FAILURE') };
  }
  if (signature === 'Signature is Valid' && total === true) return { row: 'Valid, Trusted, total document signed', judged: true, accepts: is('TOTAL_PASSED') };
  return { row: `unmapped: ${signature} / ${certificate ?? '-'} / ${String(total)}`, judged: false, accepts: notPassed };
};

// --- the corpus (built once, at collection, so that every case is its own test) ----------------

const hour = 3_600_000;
const fixture = await createSignedPdfFixture();
const otherRoot = await createSignedPdfFixture();
const valid = await fixture.signPdf();
const withApplicantSeal = await fixture.signPdf({ applicantSeal: await fixture.issueApplicantSeal() });

// Revocations change the fixture's CRLs, so they come after every valid file is signed.
const revokedSeal = await fixture.issueApplicantSeal();
await fixture.revokeApplicantSeal(revokedSeal, new Date(fixture.start.getTime() + hour / 2));
const revokedApplicantSealResult = await fixture.signPdf({ applicantSeal: revokedSeal, signingTime: new Date(fixture.start.getTime() + hour - 600_000) });
await fixture.revokeAgencySeal(new Date(fixture.start.getTime() + hour / 2));
const revokedAgencySealResult = await fixture.signPdf({ signingTime: new Date(fixture.start.getTime() + hour - 600_000) });

const unsigned = await (async () => {
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]).drawText('not signed at all', { x: 50, y: 780, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc.save({ useObjectStreams: false });
})();

const altered = tamperCorpus(valid, [
  // The fixture's hierarchy has one agency; the platform seal is the other seal certificate the same Seal CA issued.
  { label: 'the platform seal (same Seal CA)', certificate: fromPem(fixture.manifest().platform.certificate, 'CERTIFICATE') },
  { label: "another hierarchy's agency seal", certificate: otherRoot.agencySealCertificate() },
]);

const work = await mkdtemp(join(tmpdir(), 'hanbeon-pdfsig-agreement-'));
const rootPath = join(work, 'root.pem');
await writeFile(rootPath, fixture.rootPem);
const pdfsig = await createPdfsig(work, rootPath);
const verifier = createPdfVerifier({ trustAnchors: [fixture.rootDer], crypto: nodeVerificationCrypto });

let fileNumber = 0;
const judgeBoth = async (pdf: Uint8Array) => {
  const path = join(work, `case-${String(fileNumber++).padStart(3, '0')}.pdf`);
  await writeFile(path, pdf);
  const [report, verdict] = await Promise.all([pdfsig.judge(path), verifier.verify(pdf)]);
  return { report, verdict, expectation: expectationFrom(report) };
};

const describeConclusion = (c: Conclusion) => (c.indication === 'TOTAL_PASSED' ? c.indication : `${c.indication} ${c.subIndication}: ${c.reason}`);

afterAll(() => rm(work, { recursive: true, force: true }));

describe('our verifier and pdfsig on files nobody altered', () => {
  it('both pass the valid signed result', async () => {
    const { report, verdict, expectation } = await judgeBoth(valid);

    expect(expectation.row).toBe('Valid, Trusted, total document signed');
    expect(verdict.conclusion.indication).toBe('TOTAL_PASSED');
    expect(report.output).toContain('Certificate is Trusted');
  });

  it('both pass a valid result carrying an applicant seal', async () => {
    const { verdict, expectation } = await judgeBoth(withApplicantSeal);

    expect(expectation.row).toBe('Valid, Trusted, total document signed');
    expect(verdict.conclusion.indication).toBe('TOTAL_PASSED');
    expect(verdict.applicantSeal?.conclusion.indication).toBe('TOTAL_PASSED');
  });

  it('agree that a result sealed under another root is not trusted (INDETERMINATE)', async () => {
    const { verdict, expectation } = await judgeBoth(await otherRoot.signPdf());

    expect(expectation.row).toMatch(/^Valid, Certificate issuer isn't Trusted/);
    expect(expectation.accepts(verdict.conclusion), describeConclusion(verdict.conclusion)).toBe(true);
  });

  it('agree that a PDF without a signature is not a valid signed result', async () => {
    const { report, verdict, expectation } = await judgeBoth(unsigned);

    expect(report.foundSignature).toBe(false);
    expect(expectation.accepts(verdict.conclusion), describeConclusion(verdict.conclusion)).toBe(true);
  });
});

describe('our verifier and pdfsig on altered copies of a valid result', () => {
  it('covers every region, truncations, appended updates and certificate swaps', () => {
    expect(new Set(altered.map((t) => t.region))).toEqual(
      new Set(['header', 'page-content', 'xref', 'signature-dictionary', 'cms', 'contents-padding', 'dss', 'embedded-file', 'trailer', 'truncation', 'incremental-update', 'certificate-swap']),
    );
  });

  // pdfsig never checks the RFC 3161 token inside the CMS: for that alteration only we can judge.
  const timestampAltered = (t: TamperedPdf) => t.name.includes('timestamp token');

  it.each(altered.filter((t) => !timestampAltered(t)).map((t) => [t.name, t] as const))('agree on %s, and ours is not TOTAL_PASSED', async (_name, tampered) => {
    const { report, verdict, expectation } = await judgeBoth(tampered.pdf);

    expect(verdict.conclusion.indication, `${tampered.name}: ${describeConclusion(verdict.conclusion)}`).not.toBe('TOTAL_PASSED');
    expect(expectation.accepts(verdict.conclusion), `pdfsig: ${expectation.row}\n${report.output}\nours: ${describeConclusion(verdict.conclusion)}`).toBe(true);
  });

  it('does not pass a result whose timestamp token was altered, which pdfsig (not checking it) still calls valid', async () => {
    const tampered = altered.find(timestampAltered)!;

    const { verdict, expectation } = await judgeBoth(tampered.pdf);

    expect(expectation.row).toBe('Valid, Trusted, total document signed');
    expect(verdict.signatures[0]?.checks.find((c) => c.name === 'timestamp')?.ok).toBe(false);
    expect(verdict.conclusion.indication, describeConclusion(verdict.conclusion)).not.toBe('TOTAL_PASSED');
  });
});

describe('revocation: only we can judge it (pdfsig cannot see the CRLs in the DSS)', () => {
  it('fails a result sealed after the agency seal was revoked, which pdfsig still calls valid and trusted', async () => {
    const { verdict, expectation } = await judgeBoth(revokedAgencySealResult);

    expect(expectation.row).toBe('Valid, Trusted, total document signed');
    expect(verdict.conclusion).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'REVOKED' });
  });

  it('fails a result whose applicant seal was revoked before the result was sealed', async () => {
    const { verdict, expectation } = await judgeBoth(revokedApplicantSealResult);

    expect(expectation.row).toBe('Valid, Trusted, total document signed');
    expect(verdict.applicantSeal?.conclusion).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'REVOKED' });
    expect(verdict.conclusion).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'REVOKED' });
  });
});
