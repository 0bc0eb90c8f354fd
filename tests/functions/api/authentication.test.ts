/**
 * Tokens at the API edge: correctly signed tokens with the wrong claims are refused just like
 * forged ones — 401, a problem document with the reason, and nothing created.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevIdentityProvider } from '../../../infra/local/dev-idp.ts';
import { loadOrCreateSigningKey } from '../../../infra/local/local-signing-keys.ts';
import { createPopulation } from '../../../infra/local/population.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

let now = new Date('2026-11-24T09:00:00Z');
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({}, { clock: () => now });
});
afterAll(async () => {
  await t.close();
});

/** A provider holding the platform's own development signing key, but configured otherwise. */
const sameKeyProvider = async (overrides: { issuer?: string; audience?: string }) =>
  createDevIdentityProvider({
    issuer: overrides.issuer ?? `${t.url}/dev/idp`,
    audience: overrides.audience ?? 'hanbeon',
    population: createPopulation(),
    clock: () => now,
    signingKey: await loadOrCreateSigningKey(join(t.platform.config.DATA_DIR, 'keys'), 'dev-identity-provider'),
  });

const submitWith = (token: string) => t.submit(token, t.exampleBody('basic-pension'));

const expectRefused = async (answer: Response, reason: string) => {
  expect(answer.status).toBe(401);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(((await answer.json()) as { reason: string }).reason).toBe(reason);
};

describe('ID tokens at the API', () => {
  it('accepts a token from the configured provider (control)', async () => {
    const { id_token } = await (await sameKeyProvider({})).issueToken({ subject: 'demo-kim-younghee' });
    expect((await submitWith(id_token)).status).toBe(202);
  });

  it('refuses a token issued for another audience', async () => {
    const { id_token } = await (await sameKeyProvider({ audience: 'another-service' })).issueToken({ subject: 'demo-kim-younghee' });
    await expectRefused(await submitWith(id_token), 'wrong-audience');
  });

  it('refuses a token from another issuer', async () => {
    const { id_token } = await (await sameKeyProvider({ issuer: 'https://login.example.org' })).issueToken({ subject: 'demo-kim-younghee' });
    await expectRefused(await submitWith(id_token), 'wrong-issuer');
  });

  it('refuses an expired token', async () => {
    const token = await t.token('demo-kim-younghee');
    now = new Date(now.getTime() + 2 * 3600_000);
    await expectRefused(await submitWith(token), 'expired');
  });

  it("refuses a token with alg 'none'", async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ iss: `${t.url}/dev/idp`, aud: 'hanbeon', sub: 'demo-kim-younghee', exp: Math.floor(now.getTime() / 1000) + 600 })}.`;
    const answer = await submitWith(unsigned);
    expect(answer.status).toBe(401);
  });
});
