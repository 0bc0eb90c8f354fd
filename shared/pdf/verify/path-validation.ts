/**
 * Validation of a certificate at a time, as the signature, its timestamp and the applicant seal
 * each need it: a path to a trust anchor, the path's constraints, the key's purpose, validity of
 * every certificate at that time, and revocation of every certificate below the anchor.
 *
 * Mapping to ETSI EN 319 102-1 sub-indications (§5.2.6 X.509 certificate validation, §5.5 with time):
 * - no path → INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND;
 * - a CA flag, keyCertSign, pathLen, key purpose or critical extension violated → CHAIN_CONSTRAINTS_FAILURE;
 * - the certificate not yet valid at the time → NOT_YET_VALID; TOTAL_FAILED when that time is proven
 *   (a timestamp before notBefore proves the signature predates its certificate), else INDETERMINATE;
 * - expired at the time → INDETERMINATE OUT_OF_BOUNDS_NO_POE (no proof of existence before expiry);
 * - revoked at or before the time → TOTAL_FAILED REVOKED when the time is proven and the signer's own
 *   claimed signing time (/M) is after the revocation too (the signer states it signed after
 *   revocation, and the timestamp confirms the signature existed only then); otherwise INDETERMINATE
 *   REVOKED_NO_POE, and REVOKED_CA_NO_POE for a CA of the path;
 * - no CRL that speaks for the time → INDETERMINATE TRY_LATER (§5.2.5: fresher revocation data may
 *   come later), unless the caller only notes it (the TSA path).
 */
import { buildPath, outOfValidity, pathConstraintProblems } from './chain.ts';
import { indeterminate, failed, type CheckReport } from './report.ts';
import { revocationStatus } from './revocation.ts';
import type { KnownCertificate, KnownCrl, VerificationContext } from './verification-context.ts';
import { commonNameOf, KEY_USAGE } from './x509.ts';
import { OIDS } from './oids.ts';

export interface PathValidation {
  readonly leaf: KnownCertificate;
  readonly pool: readonly KnownCertificate[];
  readonly crls: readonly KnownCrl[];
  /** The time to judge at: the best-signature-time. */
  readonly time: Date;
  /** Whether `time` is proven by a valid timestamp (else it is the validation time). */
  readonly timeIsProven: boolean;
  /** The signer's claimed signing time (/M), for REVOKED versus REVOKED_NO_POE. */
  readonly claimedTime?: Date;
  /** What the leaf key must be good for. */
  readonly purpose: 'signing' | 'timestamping';
  /** Whether missing revocation data bears on the conclusion (else it is only noted). */
  readonly revocationRequired: boolean;
}

const when = (time: Date, proven: boolean) => `${time.toISOString()} (${proven ? 'proven by the timestamp' : 'the validation time'})`;

/** Runs the checks 'chain', 'certificate-validity' and 'revocation' into `report`; returns the path when one was found. */
export const validateCertificatePath = async (request: PathValidation, report: CheckReport, context: VerificationContext): Promise<readonly KnownCertificate[] | undefined> => {
  const { leaf, pool, crls, time, timeIsProven, claimedTime, purpose, revocationRequired } = request;
  const leafName = commonNameOf(leaf.subject);

  const found = await buildPath(leaf, pool, context);
  if (!found.ok) {
    report.fail('chain', found.detail, found.unsupported ? indeterminate('CRYPTO_CONSTRAINTS_FAILURE_NO_POE') : indeterminate('NO_CERTIFICATE_CHAIN_FOUND'));
    return undefined;
  }
  const { path } = found;
  const problems = pathConstraintProblems(path);
  if (purpose === 'signing' && leaf.keyUsage && !leaf.keyUsage.has(KEY_USAGE.digitalSignature) && !leaf.keyUsage.has(KEY_USAGE.nonRepudiation)) {
    problems.push(`'${leafName}' may not sign (keyUsage has neither digitalSignature nor nonRepudiation)`);
  }
  if (purpose === 'timestamping' && !leaf.extendedKeyUsage?.includes(OIDS.kpTimeStamping)) problems.push(`'${leafName}' is not a timestamping certificate (no extendedKeyUsage timeStamping)`);
  const names = path.map((c) => commonNameOf(c.subject)).join(' → ');
  if (problems.length > 0) report.fail('chain', `path ${names} breaks constraints: ${problems.join('; ')}`, indeterminate('CHAIN_CONSTRAINTS_FAILURE'));
  else report.pass('chain', `path ${names} (trust anchor)`);

  const outside = outOfValidity(path, time);
  if (outside.length === 0) {
    const expiredNow = leaf.notAfter < context.validationTime;
    report.pass('certificate-validity', `all ${path.length} certificates valid at ${when(time, timeIsProven)}${expiredNow ? `; '${leafName}' expired ${leaf.notAfter.toISOString()}, after the time proven` : ''}`);
  } else {
    const [first] = outside;
    const { certificate, early } = first!;
    const name = commonNameOf(certificate.subject);
    const detail = `'${name}' is ${early ? `not valid before ${certificate.notBefore.toISOString()}` : `expired since ${certificate.notAfter.toISOString()}`} but is judged at ${when(time, timeIsProven)}`;
    const isLeaf = certificate.sha256 === leaf.sha256;
    report.fail('certificate-validity', detail, early ? (isLeaf && timeIsProven ? failed('NOT_YET_VALID') : indeterminate('NOT_YET_VALID')) : indeterminate('OUT_OF_BOUNDS_NO_POE'));
  }

  const statuses: string[] = [];
  let failedRevocation = false;
  for (let i = 0; i + 1 < path.length; i++) {
    const certificate = path[i]!;
    const name = commonNameOf(certificate.subject);
    const status = await revocationStatus(certificate, path[i + 1]!, crls, time, context);
    if (status.status === 'good') {
      statuses.push(`'${name}' not revoked (CRL of ${status.crl.thisUpdate.toISOString()})`);
    } else if (status.status === 'revoked' && status.revokedAt > time) {
      statuses.push(`'${name}' revoked ${status.revokedAt.toISOString()}, after ${when(time, timeIsProven)}`);
    } else if (status.status === 'revoked') {
      failedRevocation = true;
      const detail = `'${name}' was revoked ${status.revokedAt.toISOString()}${status.reason ? ` (${status.reason})` : ''}, before ${when(time, timeIsProven)}`;
      const signerAdmits = timeIsProven && claimedTime !== undefined && status.revokedAt <= claimedTime;
      report.fail('revocation', detail, i === 0 ? (signerAdmits ? failed('REVOKED') : indeterminate('REVOKED_NO_POE')) : indeterminate('REVOKED_CA_NO_POE'));
    } else {
      failedRevocation = true;
      report.fail('revocation', `status of '${name}' unknown: ${status.detail}`, revocationRequired ? indeterminate('TRY_LATER') : undefined);
    }
  }
  if (!failedRevocation) report.pass('revocation', statuses.join('; ') || 'the certificate is itself a trust anchor');
  return path;
};
