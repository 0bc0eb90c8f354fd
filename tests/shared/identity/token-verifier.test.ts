import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JSONWebKeySet, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDevIdentityProvider } from '../../../infra/local/dev-idp.ts';
import { createPopulation } from '../../../infra/local/population.ts';
import { createTokenVerifier, type IdentityTokenRejection, type TokenVerifierOptions } from '../../../shared/identity/index.ts';

const ISSUER = 'http://127.0.0.1:3000/dev/idp';
const AUDIENCE = 'hanbeon-api';
const NOW = new Date('2026-11-24T09:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;

const makeIdp = () =>
  createDevIdentityProvider({ issuer: ISSUER, audience: AUDIENCE, population: createPopulation({ size: 3 }), clock: () => NOW });

const makeVerifier = (jwks: JSONWebKeySet | URL, overrides: Partial<TokenVerifierOptions> = {}) =>
  createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, now: () => NOW, ...overrides });

const standardClaims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'demo-park-jiwoo',
  name: '박지우',
  birthdate: '1988-07-21',
  acr: 'urn:hanbeon:loa:substantial',
  iat: NOW_SECONDS,
  exp: NOW_SECONDS + 600,
  ...overrides,
});

/** An issuer under the test's control, so claims and headers can be bent at will. */
const makeTestIssuer = async (alg: 'ES256' | 'RS256' | 'EdDSA' = 'ES256', kid = `test-${alg}`) => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg }] };
  const sign = (claims: JWTPayload, header: { kid?: string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT', ...header }).sign(privateKey);
  return { jwks, sign, kid };
};

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const expectRefusal = async (attempt: Promise<unknown>, reason: IdentityTokenRejection) => {
  await expect(attempt).rejects.toMatchObject({ name: 'IdentityTokenInvalidError', reason });
};

describe('createTokenVerifier', () => {
  it('accepts a token from the development identity provider and maps its claims', async () => {
    const idp = await makeIdp();
    const { id_token } = await idp.issueToken({ subject: 'demo-kim-younghee' });

    const identity = await makeVerifier(idp.jwks())(id_token);

    expect(identity).toEqual({
      subject: 'demo-kim-younghee',
      name: '김영희',
      birthDate: '1954-03-15',
      issuer: ISSUER,
      assuranceLevel: 'high',
      authenticatedAt: NOW.toISOString(),
    });
  });

  it.each(['RS256', 'EdDSA'] as const)('accepts a %s-signed token', async (alg) => {
    const issuer = await makeTestIssuer(alg);

    const identity = await makeVerifier(issuer.jwks)(await issuer.sign(standardClaims()));

    expect(identity.subject).toBe('demo-park-jiwoo');
  });

  it('fetches the key set from a jwks_uri', async () => {
    const issuer = await makeTestIssuer();
    const server: Server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify(issuer.jwks)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`);

      const identity = await makeVerifier(url)(await issuer.sign(standardClaims()));

      expect(identity.name).toBe('박지우');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a token forged with another key under the trusted key id', async () => {
    const trusted = await makeTestIssuer();
    const forger = await makeTestIssuer('ES256', trusted.kid);

    await expectRefusal(makeVerifier(trusted.jwks)(await forger.sign(standardClaims())), 'bad-signature');
  });

  it('refuses a token signed by a key the issuer never published', async () => {
    const trusted = await makeIdp();
    const impostor = await makeIdp();
    const { id_token } = await impostor.issueToken({ subject: 'demo-kim-younghee' });

    await expectRefusal(makeVerifier(trusted.jwks())(id_token), 'bad-signature');
  });

  it('refuses an expired token', async () => {
    const idp = await makeIdp();
    const { id_token } = await idp.issueToken({ subject: 'demo-kim-younghee' });
    const twoHoursLater = new Date(NOW.getTime() + 2 * 3600_000);

    await expectRefusal(makeVerifier(idp.jwks(), { now: () => twoHoursLater })(id_token), 'expired');
  });

  it('accepts a token just past expiry within the clock tolerance', async () => {
    const issuer = await makeTestIssuer();
    const token = await issuer.sign(standardClaims({ exp: NOW_SECONDS - 30 }));

    const identity = await makeVerifier(issuer.jwks, { clockToleranceSeconds: 60 })(token);

    expect(identity.subject).toBe('demo-park-jiwoo');
  });

  it('refuses a token that is not valid yet', async () => {
    const issuer = await makeTestIssuer();

    await expectRefusal(makeVerifier(issuer.jwks)(await issuer.sign(standardClaims({ nbf: NOW_SECONDS + 600 }))), 'expired');
  });

  it('refuses a token issued by another issuer, naming both issuers', async () => {
    const issuer = await makeTestIssuer();
    const token = await issuer.sign(standardClaims({ iss: 'https://evil.example' }));

    const attempt = makeVerifier(issuer.jwks)(token);

    await expectRefusal(attempt, 'wrong-issuer');
    await expect(attempt).rejects.toThrow(/"https:\/\/evil\.example".*"http:\/\/127\.0\.0\.1:3000\/dev\/idp"/);
  });

  it('refuses a token issued for another audience', async () => {
    const issuer = await makeTestIssuer();

    await expectRefusal(makeVerifier(issuer.jwks)(await issuer.sign(standardClaims({ aud: 'another-service' }))), 'wrong-audience');
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const issuer = await makeTestIssuer();
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(standardClaims())}.`;

    await expectRefusal(makeVerifier(issuer.jwks)(token), 'unsupported-algorithm');
  });

  it('refuses an HS256 token, even one keyed with the public key material', async () => {
    const issuer = await makeTestIssuer();
    const secret = new TextEncoder().encode(JSON.stringify(issuer.jwks.keys[0]));
    const token = await new SignJWT(standardClaims()).setProtectedHeader({ alg: 'HS256', kid: issuer.kid }).sign(secret);

    await expectRefusal(makeVerifier(issuer.jwks)(token), 'unsupported-algorithm');
  });

  it.each(['iss', 'aud', 'exp', 'iat', 'sub', 'name', 'birthdate'])('refuses a token without the %s claim', async (claim) => {
    const issuer = await makeTestIssuer();
    const claims = standardClaims();
    delete claims[claim];

    await expectRefusal(makeVerifier(issuer.jwks)(await issuer.sign(claims)), 'missing-claim');
  });

  it('refuses a birthdate that is not a calendar date', async () => {
    const issuer = await makeTestIssuer();

    await expectRefusal(makeVerifier(issuer.jwks)(await issuer.sign(standardClaims({ birthdate: '21/07/1988' }))), 'malformed');
  });

  it.each([
    ['a garbage string', 'not-a-token'],
    ['three empty segments', '..'],
    ['an empty string', ''],
    ['a header that is not JSON', `bm90IGpzb24.${b64url(standardClaims())}.c2ln`],
  ])('refuses %s as malformed', async (_label, token) => {
    const issuer = await makeTestIssuer();

    await expectRefusal(makeVerifier(issuer.jwks)(token), 'malformed');
  });

  describe('resident registration number', () => {
    const key = Buffer.alloc(32, 7);

    it('keeps a keyed hash of the number the provider vouches for, never the number', async () => {
      const issuer = await makeTestIssuer();
      const token = await issuer.sign(standardClaims({ rrn: '880721-1234567' }));

      const identity = await makeVerifier(issuer.jwks, { residentNumberKey: key })(token);

      expect(identity.rrnKeyedHash).toBe(createHmac('sha256', key).update('8807211234567').digest('hex'));
      expect(JSON.stringify(identity)).not.toMatch(/880721-?1234567/);
    });

    it('gives the same hash with or without the hyphen, and another under another key', async () => {
      const issuer = await makeTestIssuer();
      const withHyphen = await makeVerifier(issuer.jwks, { residentNumberKey: key })(await issuer.sign(standardClaims({ rrn: '880721-1234567' })));
      const without = await makeVerifier(issuer.jwks, { residentNumberKey: key })(await issuer.sign(standardClaims({ rrn: '8807211234567' })));
      const otherKey = await makeVerifier(issuer.jwks, { residentNumberKey: Buffer.alloc(32, 8) })(await issuer.sign(standardClaims({ rrn: '8807211234567' })));

      expect(without.rrnKeyedHash).toBe(withHyphen.rrnKeyedHash);
      expect(otherKey.rrnKeyedHash).not.toBe(withHyphen.rrnKeyedHash);
    });

    it('refuses a claim that is not a resident number, without repeating it', async () => {
      const issuer = await makeTestIssuer();

      const error = (await makeVerifier(issuer.jwks, { residentNumberKey: key })(await issuer.sign(standardClaims({ rrn: '88072-11234567x' }))).catch((e: unknown) => e)) as Error;

      expect(error).toMatchObject({ name: 'IdentityTokenInvalidError', reason: 'malformed' });
      expect(error.message).not.toContain('88072');
    });

    it('drops the claim unread when no key is configured', async () => {
      const issuer = await makeTestIssuer();

      const identity = await makeVerifier(issuer.jwks)(await issuer.sign(standardClaims({ rrn: '880721-1234567' })));

      expect(identity).not.toHaveProperty('rrnKeyedHash');
    });

    it('is vouched for by the development identity provider for every citizen', async () => {
      const idp = await makeIdp();
      const { id_token } = await idp.issueToken({ subject: 'demo-kim-younghee' });

      const identity = await makeVerifier(idp.jwks(), { residentNumberKey: key })(id_token);

      expect(identity.rrnKeyedHash).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  it('never repeats the token in the error message', async () => {
    const idp = await makeIdp();
    const { id_token } = await idp.issueToken({ subject: 'demo-kim-younghee' });
    const late = makeVerifier(idp.jwks(), { now: () => new Date(NOW.getTime() + 86_400_000) });

    const error = (await late(id_token).catch((e: unknown) => e)) as Error;

    expect(error.message).not.toContain(id_token);
    expect(error.message).not.toContain(id_token.split('.')[1]);
    expect(error.message).not.toContain('김영희');
  });

  it.each([
    ['urn:hanbeon:loa:low', 'low'],
    ['urn:hanbeon:loa:substantial', 'substantial'],
    ['urn:hanbeon:loa:high', 'high'],
    ['urn:hanbeon:loa:extreme', 'low'],
    ['http://eidas.europa.eu/LoA/high', 'low'],
    [undefined, 'low'],
  ])('maps acr %s to assurance level %s', async (acr, level) => {
    const issuer = await makeTestIssuer();

    const identity = await makeVerifier(issuer.jwks)(await issuer.sign(standardClaims({ acr })));

    expect(identity.assuranceLevel).toBe(level);
  });
});
