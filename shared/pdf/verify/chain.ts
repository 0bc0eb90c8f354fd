/**
 * Certification paths (RFC 5280 §6) from a certificate to one of the trust anchors, built from
 * the certificates a file carries (CMS, DSS, timestamp token). A candidate issuer is a certificate
 * whose subject Name equals the child's issuer Name byte for byte and whose key verifies the child's
 * signature (RFC 4158: a name match alone is not an issuer). A name that matches but whose key does
 * not verify — a look-alike root, a forged intermediate — is simply not an issuer, so the outcome
 * is "no path", as EU DSS reports it (NO_CERTIFICATE_CHAIN_FOUND).
 */
import { bytesEqual } from '../bytes.ts';
import { UnsupportedAlgorithmError } from './errors.ts';
import type { KnownCertificate, VerificationContext } from './verification-context.ts';
import { commonNameOf, KEY_USAGE } from './x509.ts';

const MAX_PATH_LENGTH = 8;
/** Signature checks one path search may make: a bound against files stuffed with look-alike certificates. */
const MAX_CANDIDATE_CHECKS = 64;

export type PathResult =
  | { readonly ok: true; readonly path: readonly KnownCertificate[] }
  | { readonly ok: false; readonly unsupported: boolean; readonly detail: string };

/** Finds a path leaf → … → anchor, the anchor included. */
export const buildPath = async (leaf: KnownCertificate, pool: readonly KnownCertificate[], context: VerificationContext): Promise<PathResult> => {
  const { anchors } = context;
  if (anchors.some((a) => a.sha256 === leaf.sha256)) return { ok: true, path: [leaf] };
  let checks = 0;
  let unsupported: string | undefined;
  const rejected: string[] = [];

  const search = async (path: readonly KnownCertificate[]): Promise<readonly KnownCertificate[] | undefined> => {
    const current = path.at(-1)!;
    if (path.length > MAX_PATH_LENGTH) return undefined;
    const named = (c: KnownCertificate) => bytesEqual(c.subject, current.issuer) && !path.some((p) => p.sha256 === c.sha256);
    const candidates = [...anchors.filter(named), ...pool.filter((c) => named(c) && !anchors.some((a) => a.sha256 === c.sha256))];
    for (const candidate of candidates) {
      if (++checks > MAX_CANDIDATE_CHECKS) return undefined;
      let valid: boolean;
      try {
        valid = await context.signedBy(current, candidate);
      } catch (error) {
        if (!(error instanceof UnsupportedAlgorithmError)) throw error;
        unsupported = error.message;
        continue;
      }
      if (!valid) {
        rejected.push(`'${commonNameOf(candidate.subject)}' (${candidate.sha256.slice(0, 16)}…) has the issuer's name but its key did not sign '${commonNameOf(current.subject)}'`);
        continue;
      }
      const extended = [...path, candidate];
      if (anchors.some((a) => a.sha256 === candidate.sha256)) return extended;
      // A self-issued certificate that is not an anchor ends the search on this branch.
      if (bytesEqual(candidate.subject, candidate.issuer)) continue;
      const found = await search(extended);
      if (found) return found;
    }
    return undefined;
  };

  const path = await search([leaf]);
  if (path) return { ok: true, path };
  if (unsupported) return { ok: false, unsupported: true, detail: `a certificate signature could not be checked: ${unsupported}` };
  const because = rejected.length > 0 ? `: ${rejected.slice(0, 2).join('; ')}` : checks > MAX_CANDIDATE_CHECKS ? ': too many candidate issuers' : '';
  return { ok: false, unsupported: false, detail: `no path from '${commonNameOf(leaf.subject)}' to a trust anchor among ${pool.length} certificates carried in the file${because}` };
};

/**
 * RFC 5280 §6.1.4 constraints on the CA certificates of a path (the anchor's are its owner's
 * business): basicConstraints cA, keyCertSign when keyUsage is present, pathLenConstraint; and no
 * unprocessed critical extension anywhere below the anchor (§4.2). Returns the problems.
 */
export const pathConstraintProblems = (path: readonly KnownCertificate[]): string[] => {
  const problems: string[] = [];
  const belowAnchor = path.slice(0, -1);
  for (const [index, certificate] of belowAnchor.entries()) {
    const name = commonNameOf(certificate.subject);
    if (certificate.unknownCriticalExtensions.length > 0) problems.push(`'${name}' has unprocessed critical extension(s) ${certificate.unknownCriticalExtensions.join(', ')}`);
    if (index === 0) continue;
    if (!certificate.isCa) problems.push(`'${name}' issues certificates but is not a CA (basicConstraints cA)`);
    if (certificate.keyUsage && !certificate.keyUsage.has(KEY_USAGE.keyCertSign)) problems.push(`'${name}' issues certificates without keyUsage keyCertSign`);
    // Non-self-issued intermediates below this one (RFC 5280 §4.2.1.9).
    const intermediatesBelow = path.slice(1, index).filter((c) => !bytesEqual(c.subject, c.issuer)).length;
    if (certificate.pathLength !== undefined && intermediatesBelow > certificate.pathLength) problems.push(`'${name}' allows a path length of ${certificate.pathLength}, ${intermediatesBelow} CA certificate(s) follow it`);
  }
  return problems;
};

/** The certificates of a path that are not valid at `time` (the anchor included: an expired root anchors nothing). */
export const outOfValidity = (path: readonly KnownCertificate[], time: Date): { certificate: KnownCertificate; early: boolean }[] =>
  path.filter((c) => time < c.notBefore || time > c.notAfter).map((certificate) => ({ certificate, early: time < certificate.notBefore }));
