export { IdentityTokenInvalidError, type IdentityTokenRejection } from './errors.ts';
export {
  ACCEPTED_ALGORITHMS,
  ACR_PREFIX,
  assuranceFromAcr,
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './token-verifier.ts';
export { keyedResidentNumberHash, MalformedResidentNumberError, RESIDENT_NUMBER_CLAIM } from './resident-number.ts';
