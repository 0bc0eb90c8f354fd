/**
 * A petition waiting for a case officer survives the platform process: SIGKILL while it waits in
 * AWAITING_REVIEW, restart on the same data directory, and the agency's decision still resumes it
 * to a signed result.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devAgencyKey, devToken, startChildPlatform, submitExampleOver, type ChildPlatform } from '../../support/child-platform.ts';
import { until } from '../../support/until.ts';

let dataDir: string;
let platform: ChildPlatform | undefined;

afterAll(async () => {
  platform?.child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const statusOf = async (url: string, token: string, id: string) =>
  ((await (await fetch(`${url}/v1/petitions/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string }).status;

describe('a review across a crash', () => {
  it('resumes a petition that waited for review when the platform was killed, once the agency decides', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hanbeon-review-restart-'));
    const env = { DATA_DIR: dataDir, HANBEON_RETRY_INTERVAL_MS: '0' };
    platform = await startChildPlatform(env);
    let url = platform.url;
    let token = await devToken(url, 'demo-lee-cheolsu');
    const id = await submitExampleOver(url, token, 'basic-pension', 'review-restart-1');
    await until('AWAITING_REVIEW', async () => ((await statusOf(url, token, id)) === 'AWAITING_REVIEW' ? true : undefined), 30_000);

    platform.child.kill('SIGKILL');
    await platform.exited;
    platform = await startChildPlatform(env);
    url = platform.url;
    token = await devToken(url, 'demo-lee-cheolsu');
    expect(platform.output()).toMatch(/resumed 1 unfinished petition/);
    const key = await devAgencyKey(url, 'mois');
    const decided = await fetch(`${url}/v1/agency/petitions/${id}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', reason: '재시작 후 검토 완료' }),
    });

    expect(decided.status).toBe(202);
    await until('COMPLETED', async () => ((await statusOf(url, token, id)) === 'COMPLETED' ? true : undefined), 30_000);
    expect((await fetch(`${url}/v1/petitions/${id}/result.pdf`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  }, 120_000);
});
