/**
 * Errors the petition workflow reacts to. Each class sets `name` as a string literal because
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

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The issuing agency could not be reached, timed out or answered 5xx. Retried with backoff. */
export class AgencyUnavailableError extends PetitionError {
  readonly code = 'agency-unavailable';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgencyUnavailableError';
  }
}

/** The issuing agency has no record for the applicant: the petition is rejected with this reason. */
export class EvidenceNotFoundError extends PetitionError {
  readonly code = 'evidence-not-found';
  readonly retryable = false;
  override readonly businessOutcome = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EvidenceNotFoundError';
  }
}

/** A document's issuer signature did not verify: never accepted, the petition fails with this reason. */
export class IssuerSignatureInvalidError extends PetitionError {
  readonly code = 'issuer-signature-invalid';
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IssuerSignatureInvalidError';
  }
}

/** The agency answered, but not with a document we can read. */
export class MalformedEvidenceError extends PetitionError {
  readonly code = 'malformed-evidence';
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedEvidenceError';
  }
}

/** No consent covers the document: nothing is retrieved. */
export class ConsentMissingError extends PetitionError {
  readonly code = 'consent-missing';
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConsentMissingError';
  }
}

/** The verified identity does not meet the petition type's requirements (assurance level, consistency). */
export class IdentityMismatchError extends PetitionError {
  readonly code = 'identity-mismatch';
  readonly retryable = false;
  override readonly businessOutcome = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdentityMismatchError';
  }
}

/** A petition, or a record the workflow relies on, does not exist. */
export class PetitionNotFoundError extends PetitionError {
  readonly code = 'petition-not-found';
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PetitionNotFoundError';
  }
}

/** A write lost an optimistic-concurrency race (version attribute changed underneath). */
export class VersionConflictError extends PetitionError {
  readonly code = 'version-conflict';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VersionConflictError';
  }
}

/** Names of errors the workflow retries (Retry `ErrorEquals`). */
export const RETRYABLE_ERROR_NAMES = ['AgencyUnavailableError'] as const;
/** Names of errors that end a petition as REJECTED rather than FAILED (Catch `ErrorEquals`). */
export const REJECTION_ERROR_NAMES = ['EvidenceNotFoundError', 'IdentityMismatchError'] as const;
