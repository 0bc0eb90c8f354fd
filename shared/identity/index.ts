export { IdentityTokenInvalidError, type IdentityTokenRejection } from './errors.ts';
export {
  ACCEPTED_ALGORITHMS,
  ACR_PREFIX,
  assuranceFromAcr,
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './token-verifier.ts';
