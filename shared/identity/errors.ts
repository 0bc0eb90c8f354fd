import { PetitionError } from '../errors.ts';

/** Why an identity token was refused; stable values the API maps to a 401 problem. */
export type IdentityTokenRejection =
  | 'expired'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'bad-signature'
  | 'malformed'
  | 'missing-claim'
  | 'unsupported-algorithm';

/**
 * The citizen's ID token was refused. The message names the check that failed and never echoes the
 * token or its personal claims; no `cause` is attached because jose's errors carry the whole payload.
 */
export class IdentityTokenInvalidError extends PetitionError {
  readonly code = 'identity-token-invalid';
  readonly retryable = false;
  constructor(
    readonly reason: IdentityTokenRejection,
    message: string,
  ) {
    super(`identity token refused (${reason}): ${message}`);
    this.name = 'IdentityTokenInvalidError';
  }
}
