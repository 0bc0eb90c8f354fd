/** Starts the real embedded platform for a test file and talks to it over HTTP, like a front end. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../functions/config.ts';
import type { PetitionStatus } from '../../shared/petition/model.ts';
import { startLocalPlatform, type LocalPlatform, type LocalPlatformOptions } from '../../infra/local/platform.ts';

export interface TestPlatform {
  platform: LocalPlatform;
  url: string;
  token(subject: string, assurance?: 'low' | 'substantial' | 'high'): Promise<string>;
  submit(token: string, body: unknown, idempotencyKey?: string): Promise<Response>;
  /** The example application of a petition type, as the README's curl example sends it. */
  exampleBody(typeId: string): { type: string; fields: Record<string, unknown>; consent: { documents: string[] } };
  getPetition(token: string, id: string): Promise<Response>;
  /** Logs `subject` in and submits the type's example (with `fields` changed); expects 202. */
  submitExample(typeId: string, subject: string, fields?: Record<string, unknown>): Promise<{ token: string; id: string }>;
  /** Polls until the petition reaches one of `statuses` (fails after `timeoutMs`). */
  waitForStatus(token: string, id: string, statuses: PetitionStatus[], timeoutMs?: number): Promise<PetitionBody>;
  close(): Promise<void>;
}

export interface PetitionBody {
  id: string;
  status: PetitionStatus;
  decision?: { outcome: string; reasons: { ruleId: string; en: string; ko: string }[] };
  failure?: { error: string; cause: string };
  fields: Record<string, unknown>;
  evidence: { id: string; agency: string; sha256: string }[];
  timeline: { state: string; kind: string; detail?: string; status?: string }[];
}

export async function startTestPlatform(env: Record<string, string> = {}, options: LocalPlatformOptions = {}): Promise<TestPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hanbeon-test-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HANBEON_RETRY_INTERVAL_MS: '0', HANBEON_POPULATION_SIZE: '1000', ...env });
  const platform = await startLocalPlatform(config, options);
  const url = platform.url;
  const getPetition = (token: string, id: string) => fetch(`${url}/v1/petitions/${id}`, { headers: { authorization: `Bearer ${token}` } });
  const testPlatform: TestPlatform = {
    platform,
    url,
    async token(subject, assurance) {
      const answer = await fetch(`${url}/dev/idp/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject, ...(assurance ? { assurance } : {}) }) });
      if (!answer.ok) throw new Error(`token for ${subject}: ${answer.status} ${await answer.text()}`);
      return ((await answer.json()) as { id_token: string }).id_token;
    },
    submit: (token, body, idempotencyKey = randomUUID()) =>
      fetch(`${url}/v1/petitions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    exampleBody(typeId) {
      const type = platform.catalog.petitionTypes.get(typeId)!;
      return { type: type.id, fields: structuredClone(type.example.fields) as Record<string, unknown>, consent: { documents: type.evidence.map((e) => e.id) } };
    },
    getPetition,
    async submitExample(typeId, subject, fields = {}) {
      const token = await testPlatform.token(subject);
      const body = testPlatform.exampleBody(typeId);
      Object.assign(body.fields, fields);
      const answer = await testPlatform.submit(token, body);
      if (answer.status !== 202) throw new Error(`submitting ${typeId} for ${subject}: ${answer.status} ${await answer.text()}`);
      return { token, id: ((await answer.json()) as { id: string }).id };
    },
    async waitForStatus(token, id, statuses, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: PetitionBody | undefined;
      while (Date.now() < deadline) {
        const answer = await getPetition(token, id);
        last = (await answer.json()) as PetitionBody;
        if (statuses.includes(last.status)) return last;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`petition ${id} did not reach ${statuses.join('|')} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    },
    async close() {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return testPlatform;
}
