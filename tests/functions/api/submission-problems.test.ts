/** Bad input gets a clear problem document (RFC 9457) with a stable type, never a 500, and loses nothing. */
import { randomUUID } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { API_ROUTES } from '../../../functions/api/routes.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_BASE } from '../../../functions/api/problem.ts';
import { canonicalDigest } from '../../../shared/petition/digest.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

let t: TestPlatform;
let token: string;
beforeAll(async () => {
  t = await startTestPlatform({ HANBEON_MAX_BODY_BYTES: '4096' });
  token = await t.token('demo-kim-younghee');
});
afterAll(async () => {
  await t.close();
});

const expectProblem = async (answer: Response, status: number, slug: string) => {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  const problem = (await answer.json()) as { type: string; title: string; status: number; detail: string; errors?: { path: string; message: string }[] };
  expect(problem.type).toBe(PROBLEM_BASE + slug);
  expect(problem.status).toBe(status);
  expect(problem.detail).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  return problem;
};

describe('submission refusals', () => {
  it('names an unknown field', async () => {
    const body = t.exampleBody('basic-pension');
    body.fields.favouriteColour = 'blue';
    const problem = await expectProblem(await t.submit(token, body), 422, 'validation-failed');
    expect(JSON.stringify(problem.errors)).toContain('favouriteColour');
  });

  it('names a field of the wrong type, with what was received and what was expected', async () => {
    const body = t.exampleBody('basic-pension');
    body.fields.accountNumber = 12345;
    const problem = await expectProblem(await t.submit(token, body), 422, 'validation-failed');
    expect(problem.errors?.[0]?.path).toBe('fields.accountNumber');
  });

  it('refuses an oversize body with 413 before parsing it', async () => {
    const body = t.exampleBody('basic-pension');
    body.fields.bankName = '가'.repeat(5000);
    await expectProblem(await t.submit(token, body), 413, 'body-too-large');
  });

  it('refuses malformed JSON with 400', async () => {
    await expectProblem(await t.submit(token, '{"type": "basic-pension", '), 400, 'malformed-json');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const answer = await fetch(`${t.url}/v1/petitions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain', 'idempotency-key': randomUUID() }, body: 'hello' });
    await expectProblem(answer, 415, 'unsupported-media-type');
  });

  it('refuses an unknown petition type and lists the known ones', async () => {
    const problem = await expectProblem(await t.submit(token, { ...t.exampleBody('basic-pension'), type: 'dog-licence' }), 422, 'unknown-petition-type');
    expect(problem.detail).toContain('basic-pension');
  });

  it('refuses a submission without consent, and one whose consent leaves out a document', async () => {
    const { consent: _consent, ...withoutConsent } = t.exampleBody('basic-pension');
    await expectProblem(await t.submit(token, withoutConsent), 422, 'consent-missing');

    const partial = t.exampleBody('basic-pension');
    partial.consent.documents = partial.consent.documents.slice(1);
    const problem = await expectProblem(await t.submit(token, partial), 422, 'consent-missing');
    expect(problem.detail).toContain('residentRecord');
  });

  it('requires an Idempotency-Key', async () => {
    const answer = await fetch(`${t.url}/v1/petitions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(t.exampleBody('basic-pension')) });
    await expectProblem(answer, 400, 'idempotency-key-missing');
  });

  it('answers unknown paths with 404 and wrong methods with 405, as problems', async () => {
    await expectProblem(await fetch(`${t.url}/v1/nothing-here`), 404, 'not-found');
    const answer = await fetch(`${t.url}/v1/petition-types`, { method: 'DELETE' });
    await expectProblem(answer, 405, 'method-not-allowed');
    expect(answer.headers.get('allow')).toBe('GET');
  });

  it('treats malformed or traversing petition ids as not found', async () => {
    for (const id of ['..%2F..%2Fetc%2Fpasswd', 'x'.repeat(5000), '%E0%A4%A']) {
      const answer = await t.getPetition(token, id);
      expect([404]).toContain(answer.status);
    }
  });
});

describe('idempotent submission', () => {
  it('returns the same petition for the same key and body', async () => {
    const key = randomUUID();
    const body = t.exampleBody('basic-pension');

    const first = (await (await t.submit(token, body, key)).json()) as { id: string };
    const second = await t.submit(token, body, key);

    expect(second.status).toBe(202);
    expect(((await second.json()) as { id: string }).id).toBe(first.id);
  });

  it('refuses the same key with a different body (422) and keeps the first petition', async () => {
    const key = randomUUID();
    const first = (await (await t.submit(token, t.exampleBody('basic-pension'), key)).json()) as { id: string };
    const changed = t.exampleBody('basic-pension');
    changed.fields.bankName = '우리은행';

    await expectProblem(await t.submit(token, changed, key), 422, 'idempotency-key-reused');
    expect((await t.getPetition(token, first.id)).status).toBe(200);
  });

  it('starts exactly one execution for 20 concurrent duplicates', async () => {
    const key = randomUUID();
    const body = t.exampleBody('basic-pension');
    const before = t.platform.runner.executionsStarted;

    const answers = await Promise.all(Array.from({ length: 20 }, () => t.submit(token, body, key)));
    const ids = new Set(await Promise.all(answers.map(async (a) => ((await a.json()) as { id: string }).id)));

    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    expect(ids.size).toBe(1);
    await t.waitForStatus(token, [...ids][0]!, ['COMPLETED']);
    expect(t.platform.runner.executionsStarted - before).toBe(1);
  });

  it('finishes the job when a first request claimed the key and died before creating the petition', async () => {
    const key = randomUUID();
    const body = t.exampleBody('basic-pension');
    const orphanId = randomUUID();
    // What the first request left behind: the key's claim, and nothing else.
    await t.platform.store.claimIdempotencyKey({
      subject: 'demo-kim-younghee',
      key,
      requestHash: canonicalDigest({ type: body.type, fields: body.fields, documents: [...body.consent.documents].sort() }),
      petitionId: orphanId,
      createdAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });

    const retried = await t.submit(token, body, key);

    expect(retried.status).toBe(202);
    expect(((await retried.json()) as { id: string }).id).toBe(orphanId);
    expect((await t.waitForStatus(token, orphanId, ['COMPLETED'])).status).toBe('COMPLETED');
  });

  it('lets another citizen use the same key for their own petition', async () => {
    const key = randomUUID();
    const other = await t.token('demo-lee-cheolsu');
    const mine = (await (await t.submit(token, t.exampleBody('basic-pension'), key)).json()) as { id: string };
    const theirs = (await (await t.submit(other, t.exampleBody('basic-pension'), key)).json()) as { id: string };
    expect(theirs.id).not.toBe(mine.id);
  });
});

describe('catalog and description', () => {
  it('lists petition types and serves each with its worked example', async () => {
    const list = (await (await fetch(`${t.url}/v1/petition-types`)).json()) as { items: { id: string }[] };
    expect(list.items.map((i) => i.id).sort()).toEqual(['basic-pension', 'move-in-report', 'property-transfer-registration']);

    const type = (await (await fetch(`${t.url}/v1/petition-types/basic-pension`)).json()) as { example: { subject: string }; agencies: Record<string, { name: { ko: string } }> };
    expect(type.example.subject).toBe('demo-kim-younghee');
    expect(type.agencies.nts?.name.ko).toBe('국세청');
    await expectProblem(await fetch(`${t.url}/v1/petition-types/nope`), 404, 'not-found');
  });

  it('serves an OpenAPI 3.1 document covering every route, generated from the schemas', async () => {
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(API_ROUTES.map((route) => route.path))].sort());
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/petitions/{id}/result.pdf', '/v1/trust/root.pem', '/v1/trust/crl/{issuer}']));
    for (const route of API_ROUTES) expect(doc.paths[route.path]?.[route.method.toLowerCase()], route.id).toMatchObject({ summary: expect.any(String) });
    expect(Object.keys(doc.components.schemas.SubmitPetitionRequest?.properties ?? {})).toEqual(['type', 'fields', 'consent']);
    expect(Object.keys(doc.components.schemas.PetitionType?.properties ?? {})).toEqual(expect.arrayContaining(['fields', 'evidence', 'rules', 'example', 'agencies']));
    // Every $ref points at a schema the document defines.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref);
  });

  it('serves a document that an independent OpenAPI 3.1 validator accepts', async () => {
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as Parameters<Validator["validate"]>[0];
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('reports health', async () => {
    expect(await (await fetch(`${t.url}/health`)).json()).toEqual({ status: 'ok', mode: 'local' });
  });
});
