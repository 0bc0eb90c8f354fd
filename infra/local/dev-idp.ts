import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { ACR_PREFIX, RESIDENT_NUMBER_CLAIM } from '../../shared/identity/index.ts';
import { ASSURANCE_LEVELS, type AssuranceLevel } from '../../shared/petition/model.ts';
import type { Population } from './population.ts';

/** The requested subject is not a citizen of the synthetic population. */
export class UnknownCitizenError extends Error {
  constructor(readonly subject: string) {
    super(`no citizen with subject ${JSON.stringify(subject)} in the population`);
    this.name = 'UnknownCitizenError';
  }
}

export interface DevIdentityProviderOptions {
  /** e.g. http://127.0.0.1:3000/dev/idp — jwks_uri is derived from it. */
  issuer: string;
  audience: string;
  population: Population;
  /** @default () => new Date() */
  clock?: () => Date;
  /** @default 3600 */
  tokenLifetimeSeconds?: number;
  /** ES256 key to sign with. @default a fresh key generated at start */
  signingKey?: { kid: string; privateKey: CryptoKey; publicJwk: JWK };
}

export interface DemoCitizen {
  subject: string;
  name: string;
  birthDate: string;
  description: string;
}

export interface DevIdentityProvider {
  /** Signs an ID token for a citizen of the population, as if they had logged in at `assurance` (default high). */
  issueToken(request: { subject: string; assurance?: AssuranceLevel }): Promise<{ id_token: string; expires_in: number }>;
  /** The public signing key, as served at `${issuer}/jwks.json`. */
  jwks(): JSONWebKeySet;
  /** OpenID Provider metadata, as served at `${issuer}/.well-known/openid-configuration`. */
  discovery(): Record<string, unknown>;
  /** The demo citizens a developer can log in as (never their resident registration numbers). */
  citizens(): DemoCitizen[];
}

const ALGORITHM = 'ES256';

/** Authentication methods (RFC 8176) that plausibly give each assurance level. */
const AMR: Record<AssuranceLevel, string[]> = {
  low: ['pwd'],
  substantial: ['pwd', 'otp', 'mfa'],
  high: ['hwk', 'pin', 'mfa'],
};

/**
 * The development identity provider: local mode only. It logs anyone in as any citizen of the
 * synthetic population, so it must never be wired into a deployed stack.
 */
const freshKey = async () => {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM);
  const exported = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(exported);
  return { kid, privateKey, publicJwk: { ...exported, kid, alg: ALGORITHM, use: 'sig' } as JWK };
};

export const createDevIdentityProvider = async (options: DevIdentityProviderOptions): Promise<DevIdentityProvider> => {
  const clock = options.clock ?? (() => new Date());
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  if (!Number.isInteger(lifetime) || lifetime <= 0) {
    throw new RangeError(`tokenLifetimeSeconds must be a positive integer, received ${lifetime}`);
  }
  const { issuer } = options;
  // The `iss` claim is the issuer exactly as configured; only URLs derived from it drop a trailing slash.
  const base = issuer.replace(/\/+$/, '');
  const { kid, privateKey, publicJwk } = options.signingKey ?? (await freshKey());

  return {
    async issueToken({ subject, assurance = 'high' }) {
      const citizen = options.population.get(subject);
      if (!citizen) throw new UnknownCitizenError(subject);
      if (!ASSURANCE_LEVELS.includes(assurance)) {
        throw new RangeError(`assurance must be one of ${ASSURANCE_LEVELS.join(', ')}, received ${String(assurance)}`);
      }
      const issuedAt = Math.floor(clock().getTime() / 1000);
      const idToken = await new SignJWT({
        name: citizen.name,
        birthdate: citizen.birthDate,
        // Like a Korean identity provider at the highest level, it vouches for the resident number;
        // the platform keeps only a keyed hash of it (shared/identity/resident-number.ts).
        [RESIDENT_NUMBER_CLAIM]: citizen.residentRegistrationNumber,
        acr: `${ACR_PREFIX}${assurance}`,
        amr: AMR[assurance],
        auth_time: issuedAt,
      })
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(options.audience)
        .setSubject(citizen.subject)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + lifetime)
        .sign(privateKey);
      return { id_token: idToken, expires_in: lifetime };
    },

    jwks: () => ({ keys: [{ ...publicJwk }] }),

    discovery: () => ({
      issuer,
      jwks_uri: `${base}/jwks.json`,
      token_endpoint: `${base}/token`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [ALGORITHM],
      acr_values_supported: ASSURANCE_LEVELS.map((level) => `${ACR_PREFIX}${level}`),
      claims_supported: ['iss', 'aud', 'sub', 'iat', 'exp', 'auth_time', 'name', 'birthdate', RESIDENT_NUMBER_CLAIM, 'acr', 'amr'],
    }),

    citizens: () =>
      options.population.demo().map((citizen) => ({
        subject: citizen.subject,
        name: citizen.name,
        birthDate: citizen.birthDate,
        description: citizen.demo ?? '',
      })),
  };
};
