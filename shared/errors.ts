/**
 * Errors the petition workflow reacts to. Each class declares `name` as a string literal because
 * Step Functions matches Retry/Catch `ErrorEquals` against the thrown error's name, and a
 * bundler may rename classes (DESIGN §3).
 */
export abstract class PetitionError extends Error {
  /** Stable machine-readable code (kebab-case), also used in problem `type` URIs. */
  abstract readonly code: string;
  /** Whether the workflow should retry the step that threw it. */
  abstract readonly retryable: boolean;
  /** A business outcome (reject the petition) rather than a platform failure. */
  readonly businessOutcome: boolean = false;
}

/** The issuing agency could not be reached, timed out or answered 5xx. Retried with backoff. */
export class AgencyUnavailableError extends PetitionError {
  override readonly name = 'AgencyUnavailableError';
  readonly code = 'agency-unavailable';
  readonly retryable = true;
}

/** The issuing agency has no record for the applicant: the petition is rejected with this reason. */
export class EvidenceNotFoundError extends PetitionError {
  override readonly name = 'EvidenceNotFoundError';
  readonly code = 'evidence-not-found';
  readonly retryable = false;
  override readonly businessOutcome = true;
}

/** A document's issuer signature did not verify: never accepted, the petition fails with this reason. */
export class IssuerSignatureInvalidError extends PetitionError {
  override readonly name = 'IssuerSignatureInvalidError';
  readonly code = 'issuer-signature-invalid';
  readonly retryable = false;
}

/** The agency answered, but not with a document we can read. */
export class MalformedEvidenceError extends PetitionError {
  override readonly name = 'MalformedEvidenceError';
  readonly code = 'malformed-evidence';
  readonly retryable = false;
}

/** No consent covers the document: nothing is retrieved. */
export class ConsentMissingError extends PetitionError {
  override readonly name = 'ConsentMissingError';
  readonly code = 'consent-missing';
  readonly retryable = false;
}

/** The verified identity does not meet the petition type's requirements (assurance level, consistency). */
export class IdentityMismatchError extends PetitionError {
  override readonly name = 'IdentityMismatchError';
  readonly code = 'identity-mismatch';
  readonly retryable = false;
  override readonly businessOutcome = true;
}

/** A petition, or a record the workflow relies on, does not exist. */
export class PetitionNotFoundError extends PetitionError {
  override readonly name = 'PetitionNotFoundError';
  readonly code = 'petition-not-found';
  readonly retryable = false;
}

/** A stored document is missing, or its bytes no longer match the digest recorded when its signature was verified. */
export class EvidenceIntegrityError extends PetitionError {
  override readonly name = 'EvidenceIntegrityError';
  readonly code = 'evidence-integrity';
  readonly retryable = false;
}

/** A write lost an optimistic-concurrency race (version attribute changed underneath). */
export class VersionConflictError extends PetitionError {
  override readonly name = 'VersionConflictError';
  readonly code = 'version-conflict';
  readonly retryable = true;
}

/** Names of errors the workflow retries (Retry `ErrorEquals`). */
export const RETRYABLE_ERROR_NAMES = ['AgencyUnavailableError'] as const;
/** Names of errors that end a petition as REJECTED rather than FAILED (Catch `ErrorEquals`). */
export const REJECTION_ERROR_NAMES = ['EvidenceNotFoundError', 'IdentityMismatchError', 'ApplicantSealUnusableError'] as const;
