/**
 * The applicant seal (전자 인감) inside a result: applicant-seal.cer, the sealed application.json
 * and application.sig, as SignResult embeds them (shared/workflow/sealing-steps.ts). Checked like a
 * signature, at the best-signature-time of the agency signature that carries them — the moment the
 * result provably existed, i.e. when the platform used the seal:
 * - the certificate binds sha256(application.json) and the petition id (readApplicantSeal in
 *   shared/seal/applicant-seal.ts, re-read here without Node): another application → HASH_FAILURE;
 * - application.sig verifies over application.json with the certificate's one-time key → else
 *   SIG_CRYPTO_FAILURE;
 * - the certificate chains platform seal → Seal CA → root, valid and unrevoked at that time. A seal
 *   revoked before the result was sealed is TOTAL_FAILED REVOKED when the agency's timestamp and
 *   claimed time both lie after the revocation: SignResult must refuse a revoked seal, so such a
 *   result is not a valid use of it.
 */
import { readWhole, TAGS, contentOf } from './asn1.ts';
import { utf8 } from '../bytes.ts';
import { UnsupportedAlgorithmError } from './errors.ts';
import { OIDS } from './oids.ts';
import { validateCertificatePath } from './path-validation.ts';
import type { EmbeddedFile } from './pdf-signatures.ts';
import { CheckReport, failed, indeterminate } from './report.ts';
import type { ApplicantSealVerdict } from './verdict.ts';
import type { KnownCertificate, KnownCrl, VerificationContext } from './verification-context.ts';
import { commonNameOf, summarize } from './x509.ts';

/** Names of the embedded files that make up an applicant seal. */
export const APPLICANT_SEAL_FILES = { certificate: 'applicant-seal.cer', application: 'application.json', signature: 'application.sig' } as const;

export interface ApplicantSealInput {
  readonly files: ReadonlyMap<string, EmbeddedFile>;
  readonly pool: readonly KnownCertificate[];
  readonly crls: readonly KnownCrl[];
  readonly time: Date;
  readonly timeIsProven: boolean;
  readonly claimedTime?: Date;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The binding extension's applicationDigest and petitionId, or why it is not an applicant seal. */
const readBinding = (certificate: KnownCertificate): { applicationDigest: string; petitionId: string } | string => {
  const extension = certificate.extensions.find((e) => e.id === OIDS.applicantSealBinding);
  if (!extension) return `the certificate has no applicant seal binding (extension ${OIDS.applicantSealBinding})`;
  try {
    const text = utf8(contentOf(extension.value, readWhole(extension.value, TAGS.UTF8_STRING)));
    const binding = JSON.parse(text ?? '') as { applicationDigest?: unknown; petitionId?: unknown };
    if (typeof binding?.applicationDigest === 'string' && HEX_SHA256.test(binding.applicationDigest) && typeof binding.petitionId === 'string' && binding.petitionId.length > 0) {
      return { applicationDigest: binding.applicationDigest, petitionId: binding.petitionId };
    }
  } catch {
    // falls through to the message below
  }
  return 'the applicant seal binding is not JSON with applicationDigest and petitionId';
};

/** Verifies the applicant seal files; undefined when the result carries none. */
export const verifyApplicantSeal = async (input: ApplicantSealInput, context: VerificationContext): Promise<ApplicantSealVerdict | undefined> => {
  const { files, pool, crls, time, timeIsProven, claimedTime } = input;
  const names = Object.values(APPLICANT_SEAL_FILES);
  if (!names.some((name) => files.has(name))) return undefined;
  const report = new CheckReport();
  const verdict = (extra: Partial<ApplicantSealVerdict>, passed = ''): ApplicantSealVerdict => ({ ...extra, conclusion: report.conclusion(passed), checks: report.checks });

  const contents = new Map<string, Uint8Array>();
  const missing: string[] = [];
  for (const name of names) {
    const file = files.get(name);
    if (file && 'data' in file) contents.set(name, file.data);
    else missing.push(file && 'problem' in file ? file.problem : `${name} is missing`);
  }
  if (missing.length > 0) {
    report.fail('applicant-seal-files', `the applicant seal is incomplete: ${missing.join('; ')}`, indeterminate('FORMAT_FAILURE'));
    return verdict({});
  }
  report.pass('applicant-seal-files', `${names.join(', ')} embedded`);
  const application = contents.get(APPLICANT_SEAL_FILES.application)!;

  let certificate: KnownCertificate;
  try {
    certificate = await context.certificate(contents.get(APPLICANT_SEAL_FILES.certificate)!);
  } catch (error) {
    report.fail('applicant-seal-certificate', `${APPLICANT_SEAL_FILES.certificate} is not a certificate (${(error as Error).message})`, indeterminate('FORMAT_FAILURE'));
    return verdict({});
  }
  const summary = summarize(certificate, certificate.sha256);
  const binding = readBinding(certificate);
  if (typeof binding === 'string') {
    report.fail('applicant-seal-certificate', binding, indeterminate('FORMAT_FAILURE'));
    return verdict({ certificate: summary });
  }
  report.pass('applicant-seal-certificate', `applicant seal of '${commonNameOf(certificate.subject)}' for petition ${binding.petitionId}`);
  const identity = { certificate: summary, petitionId: binding.petitionId, applicationDigest: `sha256:${binding.applicationDigest}` };

  const digest = await context.sha256Hex(application);
  if (digest === binding.applicationDigest) report.pass('application-digest', `SHA-256 of ${APPLICANT_SEAL_FILES.application} is the digest the seal certifies`);
  else report.fail('application-digest', `${APPLICANT_SEAL_FILES.application} hashes to ${digest.slice(0, 16)}…, not to the ${binding.applicationDigest.slice(0, 16)}… the seal certifies`, failed('HASH_FAILURE'));

  let applicationPetition: unknown;
  try {
    applicationPetition = (JSON.parse(utf8(application) ?? '') as { petitionId?: unknown } | null)?.petitionId;
  } catch {
    applicationPetition = undefined;
  }
  if (applicationPetition === binding.petitionId) report.pass('petition-id', `${APPLICANT_SEAL_FILES.application} is for petition ${binding.petitionId}, as the seal says`);
  else report.fail('petition-id', `${APPLICANT_SEAL_FILES.application} names petition ${typeof applicationPetition === 'string' ? applicationPetition : '(none)'}; the seal certifies ${binding.petitionId}`, indeterminate('SIG_CONSTRAINTS_FAILURE'));

  try {
    if (await context.crypto.verify(OIDS.ecdsaWithSha256, certificate.spki, application, contents.get(APPLICANT_SEAL_FILES.signature)!)) {
      report.pass('application-signature', `${APPLICANT_SEAL_FILES.signature} verifies over ${APPLICANT_SEAL_FILES.application} with the seal's key`);
    } else {
      report.fail('application-signature', `${APPLICANT_SEAL_FILES.signature} does not verify over ${APPLICANT_SEAL_FILES.application} with the seal's key`, failed('SIG_CRYPTO_FAILURE'));
    }
  } catch (error) {
    if (!(error instanceof UnsupportedAlgorithmError)) throw error;
    report.fail('application-signature', `the seal signature could not be checked: ${error.message}`, indeterminate('CRYPTO_CONSTRAINTS_FAILURE_NO_POE'));
  }

  await validateCertificatePath({
    leaf: certificate, pool, crls, time, timeIsProven, ...(claimedTime ? { claimedTime } : {}), purpose: 'signing', revocationRequired: true,
  }, report, context);
  return verdict(identity, `applicant seal of '${commonNameOf(certificate.subject)}' is valid for petition ${binding.petitionId}`);
};
