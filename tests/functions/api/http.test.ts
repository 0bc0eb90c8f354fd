/** The HTTP edge helpers, on API Gateway v2 events as Lambda receives them. */
import { describe, expect, it } from 'vitest';
import { authenticate, readJsonBody, withProblems, type ApiEvent } from '../../../functions/api/http.ts';
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

describe('withProblems', () => {
  it('turns an unexpected error into a generic 500 problem and one log line, without the stack or message', async () => {
    const logged: unknown[] = [];
    const handler = withProblems<{ logger: { error: (m: string, d: Record<string, unknown>) => void } }>(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'secretField')");
    });

    const result = await handler({ routeKey: 'POST /v1/petitions' } as ApiEvent, { logger: { error: (message, details) => void logged.push({ message, details }) } });

    expect(result.statusCode).toBe(500);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(result.body).not.toMatch(/secretField|TypeError|at .*:\d+/);
    expect(JSON.parse(result.body!).type).toBe('https://hanbeon.dev/problems/internal');
    expect(logged).toHaveLength(1);
  });
});

describe('readJsonBody', () => {
  const event = (body: string, isBase64Encoded: boolean) => ({ headers: { 'content-type': 'application/json; charset=utf-8' }, body, isBase64Encoded }) as unknown as ApiEvent;

  it('reads a plain UTF-8 body (as Lambda usually delivers JSON) and a base64 one alike', () => {
    const text = JSON.stringify({ name: '김영희' });
    expect(readJsonBody(event(text, false), 1024)).toEqual({ name: '김영희' });
    expect(readJsonBody(event(Buffer.from(text).toString('base64'), true), 1024)).toEqual({ name: '김영희' });
  });

  it('counts the limit in bytes, not characters', () => {
    const text = JSON.stringify({ name: '가'.repeat(400) }); // 400 characters, 1,200 bytes of Hangul
    expect(() => readJsonBody(event(text, false), 1024)).toThrow(expect.objectContaining({ status: 413 }));
  });
});
