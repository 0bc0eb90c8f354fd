/**
 * What the offline verifier concludes, in the vocabulary of ETSI EN 319 102-1 §5.1.3 as the EU DSS
 * library reports it: a main indication, a sub-indication for anything but TOTAL_PASSED, and one
 * line a person can read. Auditors compare our reports with DSS's, so the words are theirs.
 */

/** The three main indications of ETSI EN 319 102-1. */
export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

/** Sub-indications that make a result TOTAL_FAILED (ETSI EN 319 102-1 Table 5). */
export const FAILED_SUB_INDICATIONS = ['FORMAT_FAILURE', 'HASH_FAILURE', 'SIG_CRYPTO_FAILURE', 'REVOKED', 'EXPIRED', 'NOT_YET_VALID'] as const;

/** Sub-indications that make a result INDETERMINATE (ETSI EN 319 102-1 Table 6, the ones we can reach). */
export const INDETERMINATE_SUB_INDICATIONS = [
  'FORMAT_FAILURE',
  'SIG_CONSTRAINTS_FAILURE',
  'CHAIN_CONSTRAINTS_FAILURE',
  'CERTIFICATE_CHAIN_GENERAL_FAILURE',
  'CRYPTO_CONSTRAINTS_FAILURE',
  'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
  'EXPIRED',
  'NOT_YET_VALID',
  'TIMESTAMP_ORDER_FAILURE',
  'NO_SIGNING_CERTIFICATE_FOUND',
  'NO_CERTIFICATE_CHAIN_FOUND',
  'REVOKED_NO_POE',
  'REVOKED_CA_NO_POE',
  'OUT_OF_BOUNDS_NO_POE',
  'OUT_OF_BOUNDS_NOT_REVOKED',
  'REVOCATION_OUT_OF_BOUNDS_NO_POE',
  'TRY_LATER',
  'SIGNED_DATA_NOT_FOUND',
] as const;

export type FailedSubIndication = (typeof FAILED_SUB_INDICATIONS)[number];
export type IndeterminateSubIndication = (typeof INDETERMINATE_SUB_INDICATIONS)[number];
export type SubIndication = FailedSubIndication | IndeterminateSubIndication;

/** A conclusion: passed, or failed / indeterminate with why. `reason` is one line for a person. */
export type Conclusion =
  | { readonly indication: 'TOTAL_PASSED'; readonly reason: string }
  | { readonly indication: 'TOTAL_FAILED'; readonly subIndication: FailedSubIndication; readonly reason: string }
  | { readonly indication: 'INDETERMINATE'; readonly subIndication: IndeterminateSubIndication; readonly reason: string };

/** One named check and its outcome, in the order the verifier ran them (the report's detail). */
export interface Check {
  /** Stable name, e.g. `byte-range`, `message-digest`, `signature`, `signing-certificate-v2`, `chain`, `timestamp`, `revocation`, `modifications`. */
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** A certificate as the report names it. */
export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  /** Upper-case hex, no separators. */
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Lower-case hex SHA-256 of the DER. */
  readonly sha256: string;
}

/** The verdict on one PAdES signature of the file. */
export interface SignatureVerdict {
  readonly conclusion: Conclusion;
  /** Signature field name, when the structure names it. */
  readonly field?: string;
  /** /M of the signature dictionary: the time the signer claims. */
  readonly claimedSigningTime?: string;
  /** The time an RFC 3161 timestamp proves the signature existed at (its genTime), when it is valid. */
  readonly timestampTime?: string;
  readonly signer?: CertificateSummary;
  /** Signer first, up to and including the trust anchor, when a path was found. */
  readonly chain?: readonly CertificateSummary[];
  /** Whether the byte ranges cover the whole file but the /Contents string. */
  readonly coversWholeDocument: boolean;
  readonly checks: readonly Check[];
}

/** The applicant seal (전자 인감) carried inside a result, checked like a signature. */
export interface ApplicantSealVerdict {
  readonly conclusion: Conclusion;
  readonly certificate?: CertificateSummary;
  readonly petitionId?: string;
  /** `sha256:<hex>` of the sealed application, as the certificate binds it. */
  readonly applicationDigest?: string;
  readonly checks: readonly Check[];
}

/** A document the platform retrieved for the petition, as the signed result lists it. */
export interface EvidenceDigest {
  readonly evidenceId?: string;
  readonly document: string;
  readonly issuingAgency: string;
  readonly retrievedAt: string;
  /** Lower-case hex SHA-256 of the document as retrieved. */
  readonly sha256: string;
}

/** The verdict on one file: the worst of its parts, and the parts. */
export interface PdfVerdict {
  readonly conclusion: Conclusion;
  /** Lower-case hex SHA-256 of the file as given. */
  readonly sha256: string;
  readonly bytes: number;
  /** The time certificates and revocation were judged at (`--at`, default now). */
  readonly validationTime: string;
  readonly signatures: readonly SignatureVerdict[];
  /** Bytes or revisions after the last signed range (incremental updates appended after signing). */
  readonly modificationsAfterSigning?: { readonly bytes: number; readonly revisions: number };
  readonly applicantSeal?: ApplicantSealVerdict;
  readonly evidence: readonly EvidenceDigest[];
  /** Checks of the file as a whole (structure, DSS, evidence list), in the order run; they do not change `conclusion`. */
  readonly checks?: readonly Check[];
}

/** Severity order used to combine verdicts: failed outranks indeterminate outranks passed. */
export const severity = (conclusion: Conclusion): number =>
  conclusion.indication === 'TOTAL_FAILED' ? 2 : conclusion.indication === 'INDETERMINATE' ? 1 : 0;

/** The CLI's exit code for a set of verdicts: 0 all passed, 1 any failed, 2 otherwise (indeterminate or unreadable). */
export const exitCodeFor = (conclusions: readonly Conclusion[]): 0 | 1 | 2 => {
  const worst = Math.max(0, ...conclusions.map(severity));
  return worst === 2 ? 1 : worst === 1 ? 2 : 0;
};
