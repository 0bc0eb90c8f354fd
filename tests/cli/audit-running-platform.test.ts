/**
 * An operator exports the audit trail while the embedded platform runs: the platform holds the
 * store's files, so the command goes through the loopback endpoint the platform publishes in DATA_DIR.
 */
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runHanbeon } from '../support/cli.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
let dataDir: string;
let stopped = false;

const hanbeon = (...args: string[]) => runHanbeon(args, { DATA_DIR: dataDir });

beforeAll(async () => {
  t = await startTestPlatform({ HANBEON_AUDIT_CHECKPOINT_SECONDS: '0', HANBEON_AUDIT_CHAIN_INTERVAL_MS: '100' });
  dataDir = t.platform.config.DATA_DIR;
  const { token, id } = await t.submitExample('basic-pension', 'demo-kim-younghee');
  await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED']);
  await t.platform.auditLoop.flush();
  await writeFile(join(dataDir, 'root.pem'), await t.platform.pki.rootCertificatePem());
}, 60_000);

afterAll(async () => {
  if (!stopped) await t?.platform.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('hanbeon audit export while the platform runs', () => {
  it('exports through the running platform’s store, and the export verifies offline', async () => {
    const exported = await hanbeon('audit', 'export', '--out', join(dataDir, 'trail.jsonl'));
    const verified = await hanbeon('audit', 'verify', join(dataDir, 'trail.jsonl'), '--trust', join(dataDir, 'root.pem'));

    expect(exported.stderr).toMatch(/exported [1-9]\d* records and [1-9]\d* checkpoints/);
    expect(exported.code).toBe(0);
    expect(verified.stdout).toContain('INTACT');
    expect(verified.code).toBe(0);
    expect((await readFile(join(dataDir, 'dynamodb.endpoint'), 'utf8')).trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('withdraws the endpoint when the platform stops, and then opens the files itself', async () => {
    await t.platform.close();
    stopped = true;

    const exported = await hanbeon('audit', 'export', '--out', join(dataDir, 'after-stop.jsonl'));

    await expect(access(join(dataDir, 'dynamodb.endpoint'))).rejects.toThrow();
    expect(exported.code).toBe(0);
    // The same records and checkpoints (only the header's exportedAt differs).
    const body = async (name: string) => (await readFile(join(dataDir, name), 'utf8')).split('\n').slice(1);
    expect(await body('after-stop.jsonl')).toEqual(await body('trail.jsonl'));
  });
});
