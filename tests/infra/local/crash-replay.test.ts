/**
 * Durable by replay (DESIGN §4): SIGKILL the embedded platform in the middle of a petition, start it
 * again on the same data directory, and the petition completes without repeating finished steps.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildPlatform, type ChildPlatform } from '../../support/child-platform.ts';

let dataDir: string;
const children: ChildPlatform[] = [];
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hanbeon-crash-'));
});
afterAll(async () => {
  for (const c of children) c.child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

const token = async (url: string, subject: string) =>
  ((await (await fetch(`${url}/dev/idp/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject }) })).json()) as { id_token: string }).id_token;

interface Timeline {
  status: string;
  timeline: { state: string; kind: string; detail?: string }[];
}

const petitionOf = async (url: string, bearer: string, id: string) =>
  (await (await fetch(`${url}/v1/petitions/${id}`, { headers: { authorization: `Bearer ${bearer}` } })).json()) as Timeline;

const until = async <T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('a crash in the middle of a petition', () => {
  it('loses nothing and repeats no finished step after SIGKILL and restart', async () => {
    // Arrange: the tax agency answers slowly, so the kill lands while its document is being fetched.
    const first = await startChildPlatform({ DATA_DIR: dataDir, HANBEON_AGENCY_FAULTS: JSON.stringify({ nts: { latencyMs: 20_000 } }), HANBEON_AGENCY_TIMEOUT_MS: '30000' });
    children.push(first);
    const firstToken = await token(first.url, 'demo-kim-younghee');
    const type = (await (await fetch(`${first.url}/v1/petition-types/basic-pension`)).json()) as { example: { fields: unknown }; evidence: { id: string }[] };
    const submitted = await fetch(`${first.url}/v1/petitions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${firstToken}`, 'content-type': 'application/json', 'idempotency-key': 'crash-test-1' },
      body: JSON.stringify({ type: 'basic-pension', fields: type.example.fields, consent: { documents: type.evidence.map((e) => e.id) } }),
    });
    const { id } = (await submitted.json()) as { id: string };
    const fetchedBeforeKill = (p: Timeline) => p.timeline.filter((e) => e.state === 'FetchEvidence' && e.kind === 'step-completed').length;
    const before = await until(() => petitionOf(first.url, firstToken, id), (p) => fetchedBeforeKill(p) === 2);
    expect(before.status).toBe('RETRIEVING_EVIDENCE');

    // Act: kill -9, then start again on the same data, agencies healthy.
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const second = await startChildPlatform({ DATA_DIR: dataDir });
    children.push(second);
    expect(second.output()).toContain('resumed 1 unfinished petition');
    const secondToken = await token(second.url, 'demo-kim-younghee');
    // COMPLETED is set inside the Complete step, whose journal entry follows a moment later: wait for both.
    const after = await until(
      () => petitionOf(second.url, secondToken, id),
      (p) => p.status === 'COMPLETED' && p.timeline.some((e) => e.kind === 'step-completed' && e.state === 'Complete'),
    );

    // Assert: every step finished exactly once across both runs, and the restarted process asked
    // the agencies only for the document that was still missing.
    const completed = after.timeline.filter((e) => e.kind === 'step-completed').map((e) => e.state);
    expect(completed.sort()).toEqual(['Complete', 'Decide', 'FetchEvidence', 'FetchEvidence', 'FetchEvidence', 'RenderResult', 'SignResult', 'VerifyIdentity']);
    const agencies = (await (await fetch(`${second.url}/dev/agencies`)).json()) as { items: { id: string; documentRequests: number }[] };
    const requests = Object.fromEntries(agencies.items.map((a) => [a.id, a.documentRequests]));
    expect(requests).toMatchObject({ mois: 0, court: 0, nts: 1 });

    // Ctrl-C (SIGINT) stops the platform cleanly.
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});

describe('start-up with bad configuration', () => {
  it('stops with the file, the path and the reason when a template is invalid', async () => {
    const templates = await mkdtemp(join(tmpdir(), 'hanbeon-bad-templates-'));
    await mkdir(join(templates, 'petition-types'));
    await mkdir(join(templates, 'agencies'));
    await writeFile(join(templates, 'petition-types', 'broken.json'), JSON.stringify({ id: 'broken', version: 'one' }));

    const start = startChildPlatform({ DATA_DIR: join(dataDir, 'bad'), HANBEON_TEMPLATES_DIR: templates });

    const error = await start.then(() => new Error('started'), (e: Error) => e);
    expect(error.message).toMatch(/exited \(2\)/);
    expect(error.message).toContain('broken.json');
    expect(error.message).toMatch(/version/);
    expect(error.message).not.toMatch(/\n\s+at /); // a reason, not a stack trace
  });

  it('refuses, with the reason, to share a data directory with a running instance', async () => {
    const running = await startChildPlatform({ DATA_DIR: join(dataDir, 'shared') });
    children.push(running);

    const error = await startChildPlatform({ DATA_DIR: join(dataDir, 'shared') }).then(() => new Error('started'), (e: Error) => e);

    expect(error.message).toMatch(/exited \(1\)/);
    expect(error.message).toMatch(/hanbeon cannot start: .*lock/i);
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
  });

  it('stops with every offending key when the environment is invalid', async () => {
    const error = await startChildPlatform({ DATA_DIR: join(dataDir, 'bad2'), PORT: 'eighty', HANBEON_AGENCIES: '{not json' }).then(
      () => new Error('started'),
      (e: Error) => e,
    );
    expect(error.message).toMatch(/exited \(2\)/);
    expect(error.message).toContain('PORT');
    expect(error.message).toContain('HANBEON_AGENCIES');
  });
});
