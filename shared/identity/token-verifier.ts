import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { ASSURANCE_LEVELS, type AssuranceLevel, type VerifiedIdentity } from '../petition/model.ts';
import { IdentityTokenInvalidError, type IdentityTokenRejection } from './errors.ts';
import { keyedResidentNumberHash, MalformedResidentNumberError, RESIDENT_NUMBER_CLAIM } from './resident-number.ts';

/** Asymmetric algorithms only: `none` and the HMAC family (a shared-secret confusion risk) are never accepted. */
export const ACCEPTED_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;

/** `acr` values the identity provider uses for the three assurance levels. */
export const ACR_PREFIX = 'urn:hanbeon:loa:';

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** The issuer's keys: a key set in hand (local mode, tests) or its published jwks_uri. */
  jwks: JSONWebKeySet | URL;
  /** @default 0 */
  clockToleranceSeconds?: number;
  /** Injected for tests. @default () => new Date() */
  now?: () => Date;
  /**
   * Key of the keyed hash kept instead of a resident registration number the provider vouches for
   * (claim `rrn`). Without it such a claim is dropped unread. @default undefined
   */
  residentNumberKey?: Uint8Array;
}

export type TokenVerifier = (token: string) => Promise<VerifiedIdentity>;

const BIRTHDATE = /^\d{4}-\d{2}-\d{2}$/;

/** Untrusted text quoted in a message, bounded so a hostile claim cannot flood the logs. */
const quote = (value: unknown): string => JSON.stringify(String(value).slice(0, 120));

const epochIso = (seconds: unknown): string =>
  typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : String(seconds);

/** Maps the `acr` claim to an assurance level; anything we do not recognise counts as the weakest. */
export const assuranceFromAcr = (acr: unknown): AssuranceLevel => {
  if (typeof acr !== 'string' || !acr.startsWith(ACR_PREFIX)) return 'low';
  const level = acr.slice(ACR_PREFIX.length);
  return (ASSURANCE_LEVELS as readonly string[]).includes(level) ? (level as AssuranceLevel) : 'low';
};

const refuse = (reason: IdentityTokenRejection, message: string) => new IdentityTokenInvalidError(reason, message);

/**
 * Translates jose's failures into our reasons. Failures that are not about the token (the JWKS
 * endpoint timing out or unreachable) are rethrown untouched: they are outages, not forgeries.
 */
const translate = (error: unknown, options: TokenVerifierOptions, now: Date): unknown => {
  if (error instanceof errors.JWTExpired) {
    return refuse('expired', `${error.claim} check failed: exp ${epochIso(error.payload.exp)}, now ${now.toISOString()}`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason, payload } = error;
    if (reason === 'missing') return refuse('missing-claim', `required claim "${claim}" is absent`);
    if (claim === 'iss') return refuse('wrong-issuer', `issuer ${quote(payload.iss)} is not the expected ${quote(options.issuer)}`);
    if (claim === 'aud') return refuse('wrong-audience', `audience ${quote(payload.aud)} does not include the expected ${quote(options.audience)}`);
    if (claim === 'nbf') return refuse('expired', `not valid before ${epochIso(payload.nbf)}, now ${now.toISOString()}`);
    return refuse('malformed', `claim "${claim}" is invalid (${reason})`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return refuse('unsupported-algorithm', `signature algorithm not accepted; expected one of ${ACCEPTED_ALGORITHMS.join(', ')}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refuse('bad-signature', 'the signature does not verify with the issuer key');
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return refuse('bad-signature', 'no single issuer key matches the token header (kid/alg)');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return refuse('malformed', 'not a well-formed signed JWT');
  }
  return error;
};

/** The keyed hash of the vouched-for resident number; the number itself goes no further than this function. */
const residentNumberHash = (payload: JWTPayload, key: Uint8Array | undefined): string | undefined => {
  const claim = payload[RESIDENT_NUMBER_CLAIM];
  if (claim === undefined || key === undefined) return undefined;
  if (typeof claim !== 'string') throw refuse('malformed', `claim "${RESIDENT_NUMBER_CLAIM}" must be a string`);
  try {
    return keyedResidentNumberHash(key, claim);
  } catch (error) {
    if (error instanceof MalformedResidentNumberError) throw refuse('malformed', `claim "${RESIDENT_NUMBER_CLAIM}": ${error.message}`);
    throw error;
  }
};

const toIdentity = (payload: JWTPayload, residentNumberKey: Uint8Array | undefined): VerifiedIdentity => {
  const { sub, name, birthdate, iss, iat, acr, auth_time: authTime } = payload;
  if (name === undefined) throw refuse('missing-claim', 'required claim "name" is absent');
  if (birthdate === undefined) throw refuse('missing-claim', 'required claim "birthdate" is absent');
  if (typeof sub !== 'string' || sub.length === 0) throw refuse('malformed', 'claim "sub" must be a non-empty string');
  if (typeof name !== 'string' || name.trim().length === 0) throw refuse('malformed', 'claim "name" must be a non-empty string');
  if (typeof birthdate !== 'string' || !BIRTHDATE.test(birthdate) || Number.isNaN(Date.parse(birthdate))) {
    throw refuse('malformed', 'claim "birthdate" must be a date YYYY-MM-DD');
  }
  const authenticatedAt = typeof authTime === 'number' ? authTime : iat;
  const rrnKeyedHash = residentNumberHash(payload, residentNumberKey);
  return {
    subject: sub,
    name,
    birthDate: birthdate,
    issuer: iss as string,
    assuranceLevel: assuranceFromAcr(acr),
    authenticatedAt: epochIso(authenticatedAt),
    ...(rrnKeyedHash === undefined ? {} : { rrnKeyedHash }),
  };
};

/** Builds a verifier for OIDC ID tokens of one issuer and audience (DESIGN §1: captured once, at submission). */
export const createTokenVerifier = (options: TokenVerifierOptions): TokenVerifier => {
  const keys = options.jwks instanceof URL ? createRemoteJWKSet(options.jwks) : createLocalJWKSet(options.jwks);
  const clock = options.now ?? (() => new Date());
  return async (token) => {
    if (typeof token !== 'string' || token.length === 0) throw refuse('malformed', 'no token given');
    const now = clock();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [...ACCEPTED_ALGORITHMS],
        clockTolerance: options.clockToleranceSeconds ?? 0,
        currentDate: now,
        requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub'],
      }));
    } catch (error) {
      throw translate(error, options, now);
    }
    return toIdentity(payload, options.residentNumberKey);
  };
};
