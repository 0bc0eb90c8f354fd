/** The HTTP edge helpers, on API Gateway v2 events as Lambda receives them. */
import { describe, expect, it } from 'vitest';
import { authenticate, type ApiEvent } from '../../../functions/api/http.ts';
import { ProblemError } from '../../../functions/api/problem.ts';
import { IdentityTokenInvalidError } from '../../../shared/identity/errors.ts';

const eventWith = (headers: Record<string, string>) => ({ headers }) as unknown as ApiEvent;

describe('authenticate', () => {
  it('answers 401 with the reason when the token is refused', async () => {
    const refused = authenticate(eventWith({ authorization: 'Bearer a.b.c' }), async () => {
      throw new IdentityTokenInvalidError('expired', 'exp passed');
    });
    await expect(refused).rejects.toMatchObject({ status: 401, extensions: { reason: 'expired' } });
  });

  it('answers 503, not 401, when the identity provider’s keys cannot be fetched: the token may be fine', async () => {
    const outage = authenticate(eventWith({ authorization: 'Bearer a.b.c' }), async () => {
      throw Object.assign(new Error('request timed out'), { name: 'JWKSTimeout' });
    });
    const error = await outage.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ status: 503, slug: 'identity-provider-unavailable' });
  });

  it('answers 401 without calling the verifier when there is no bearer token', async () => {
    let called = false;
    const missing = authenticate(eventWith({}), async () => {
      called = true;
      throw new Error('unreachable');
    });
    await expect(missing).rejects.toMatchObject({ status: 401 });
    expect(called).toBe(false);
  });
});
