/**
 * Revocation status from the CRLs a file carries (the DSS), judged at a given time: the
 * best-signature-time of ETSI EN 319 102-1 (the timestamp's genTime when one is valid).
 *
 * Which CRL speaks for a time T: a CRL signed by the certificate's issuer (same Name, the issuer's
 * key, cRLSign when keyUsage is present) that was current at T (thisUpdate ≤ T ≤ nextUpdate) or
 * was issued after T (thisUpdate ≥ T: it still lists any revocation before T). Our platform embeds
 * the CRLs current at signing, so a result validated years later is judged by the CRL of its
 * signing day — exactly what PAdES B-LT is for. A revocation listed with a date after T does not
 * invalidate a signature proven to exist before it (it is reported).
 */
import { bytesEqual } from '../bytes.ts';
import { UnsupportedAlgorithmError } from './errors.ts';
import type { KnownCertificate, KnownCrl, VerificationContext } from './verification-context.ts';
import { KEY_USAGE } from './x509.ts';

export type RevocationStatus =
  | { readonly status: 'good'; readonly crl: KnownCrl }
  | { readonly status: 'revoked'; readonly revokedAt: Date; readonly reason?: string }
  | { readonly status: 'unknown'; readonly detail: string };

/** The status of `certificate` (issued by `issuer`) at `time` according to `crls`. */
export const revocationStatus = async (
  certificate: KnownCertificate, issuer: KnownCertificate, crls: readonly KnownCrl[], time: Date, context: VerificationContext,
): Promise<RevocationStatus> => {
  if (issuer.keyUsage && !issuer.keyUsage.has(KEY_USAGE.cRLSign)) return { status: 'unknown', detail: 'its issuer may not sign CRLs (no keyUsage cRLSign)' };
  const byIssuer = crls.filter((crl) => bytesEqual(crl.issuer, issuer.subject));
  if (byIssuer.length === 0) return { status: 'unknown', detail: 'no CRL of its issuer is embedded' };
  const usable: KnownCrl[] = [];
  const problems: string[] = [];
  for (const crl of byIssuer) {
    if (crl.unusable) {
      problems.push(`a CRL cannot serve: ${crl.unusable}`);
      continue;
    }
    let signed: boolean;
    try {
      signed = await context.signedBy(crl, issuer);
    } catch (error) {
      if (!(error instanceof UnsupportedAlgorithmError)) throw error;
      problems.push(`a CRL signature could not be checked: ${error.message}`);
      continue;
    }
    if (signed) usable.push(crl);
    else problems.push("a CRL bearing its issuer's name is not signed by the issuer's key");
  }
  // Any authentic CRL listing the serial tells of the revocation (CRLs only grow, holds aside).
  const entries = usable.map((crl) => crl.revoked.get(certificate.serialHex)).filter((e) => e !== undefined);
  if (entries.length > 0) {
    const earliest = entries.reduce((a, b) => (a.revokedAt <= b.revokedAt ? a : b));
    return { status: 'revoked', revokedAt: earliest.revokedAt, ...(earliest.reason ? { reason: earliest.reason } : {}) };
  }
  const speaking = usable.filter((crl) => crl.thisUpdate >= time || (crl.thisUpdate <= time && (!crl.nextUpdate || crl.nextUpdate >= time)));
  if (speaking.length > 0) return { status: 'good', crl: speaking.reduce((a, b) => (a.thisUpdate >= b.thisUpdate ? a : b)) };
  if (usable.length > 0) {
    const latest = usable.reduce((a, b) => (a.thisUpdate >= b.thisUpdate ? a : b));
    return { status: 'unknown', detail: `the embedded CRL (${latest.thisUpdate.toISOString()}..${latest.nextUpdate?.toISOString() ?? '?'}) was not current at ${time.toISOString()}` };
  }
  return { status: 'unknown', detail: problems.join('; ') || 'no usable CRL' };
};
