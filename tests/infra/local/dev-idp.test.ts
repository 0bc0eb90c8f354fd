import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDevIdentityProvider } from '../../../infra/local/dev-idp.ts';
import { createPopulation } from '../../../infra/local/population.ts';

const NOW = new Date('2026-11-24T09:00:00.000Z');

const makeIdp = (overrides: { tokenLifetimeSeconds?: number; issuer?: string } = {}) =>
  createDevIdentityProvider({
    issuer: 'http://127.0.0.1:3000/dev/idp',
    audience: 'hanbeon-api',
    population: createPopulation({ size: 3 }),
    clock: () => NOW,
    ...overrides,
  });

describe('createDevIdentityProvider', () => {
  it('issues an ES256 ID token with the citizen and assurance claims', async () => {
    const idp = await makeIdp({ tokenLifetimeSeconds: 600 });

    const { id_token, expires_in } = await idp.issueToken({ subject: 'demo-lee-cheolsu', assurance: 'substantial' });

    const claims = decodeJwt(id_token);
    expect(expires_in).toBe(600);
    expect(decodeProtectedHeader(id_token)).toMatchObject({ alg: 'ES256', kid: idp.jwks().keys[0]!.kid });
    expect(claims).toMatchObject({
      iss: 'http://127.0.0.1:3000/dev/idp',
      aud: 'hanbeon-api',
      sub: 'demo-lee-cheolsu',
      name: '이철수',
      birthdate: '1958-11-02',
      acr: 'urn:hanbeon:loa:substantial',
      iat: NOW.getTime() / 1000,
      exp: NOW.getTime() / 1000 + 600,
    });
    expect(claims.amr).toEqual(expect.arrayContaining(['mfa']));
  });

  it('defaults to high assurance', async () => {
    const idp = await makeIdp();

    const { id_token } = await idp.issueToken({ subject: 'citizen-00001' });

    expect(decodeJwt(id_token).acr).toBe('urn:hanbeon:loa:high');
  });

  it('refuses a subject outside the population', async () => {
    const idp = await makeIdp();

    await expect(idp.issueToken({ subject: 'ghost-001' })).rejects.toMatchObject({ name: 'UnknownCitizenError' });
  });

  it('publishes only the public half of its signing key', async () => {
    const idp = await makeIdp();

    const { keys } = idp.jwks();

    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('describes itself with OpenID metadata pointing at its key set', async () => {
    const idp = await makeIdp({ issuer: 'http://127.0.0.1:3000/dev/idp/' });

    expect(idp.discovery()).toMatchObject({
      issuer: 'http://127.0.0.1:3000/dev/idp/',
      jwks_uri: 'http://127.0.0.1:3000/dev/idp/jwks.json',
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  it('lists the demo citizens without their resident registration numbers', async () => {
    const idp = await makeIdp();

    const citizens = idp.citizens();

    expect(citizens.map((c) => c.subject)).toContain('demo-kim-younghee');
    expect(citizens[0]).toEqual({ subject: expect.any(String), name: expect.any(String), birthDate: expect.any(String), description: expect.any(String) });
    expect(JSON.stringify(citizens)).not.toMatch(/\d{6}-\d{7}/);
  });
});
