/**
 * `hanbeon audit export | verify`, run as an operator and an auditor would: export the trail of a
 * stopped embedded platform from its DATA_DIR, then check the file offline with the root alone.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform } from '../support/platform.ts';

const root = join(import.meta.dirname, '..', '..');
let dataDir: string;
let rootPem: string;
let petitionId: string;

const hanbeon = (...args: string[]) =>
  promisify(execFile)(join(root, 'cli', 'hanbeon.ts'), args, {
    cwd: root,
    env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, DATA_DIR: dataDir },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

const file = (name: string) => join(dataDir, name);

beforeAll(async () => {
  const t = await startTestPlatform({ HANBEON_AUDIT_CHECKPOINT_SECONDS: '0', HANBEON_AUDIT_CHAIN_INTERVAL_MS: '100' });
  dataDir = t.platform.config.DATA_DIR;
  const { token, id } = await t.submitExample('basic-pension', 'demo-kim-younghee');
  petitionId = id;
  await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED', 'AWAITING_REVIEW']);
  await t.platform.auditLoop.flush();
  rootPem = await t.platform.pki.rootCertificatePem();
  await writeFile(file('root.pem'), rootPem);
  // Stopped, not removed: dynalite releases DATA_DIR for the command.
  await t.platform.close();
}, 60_000);

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('hanbeon audit', () => {
  it('exports the trail from DATA_DIR and verifies it offline with the root alone (exit 0)', async () => {
    const exported = await hanbeon('audit', 'export', '--out', file('trail.jsonl'));
    const verified = await hanbeon('audit', 'verify', file('trail.jsonl'), '--trust', file('root.pem'));

    expect(exported.stderr).toMatch(/exported \d+ records and \d+ checkpoints/);
    expect(exported.code).toBe(0);
    expect(verified.stdout).toContain('INTACT');
    expect(verified.stdout).toMatch(/checkpoint seq \d+ at .*: valid, sealed by 'hanbeon 플랫폼 직인'/);
    expect(verified.code).toBe(0);
  });

  it('names the first record removed from the file and exits 1, in words and in JSON', async () => {
    await hanbeon('audit', 'export', '--out', file('trail.jsonl'));
    const lines = (await readFile(file('trail.jsonl'), 'utf8')).split('\n');
    const removed = JSON.parse(lines[4]!) as { seq: number };
    lines.splice(4, 1);
    await writeFile(file('cut.jsonl'), lines.join('\n'));

    const words = await hanbeon('audit', 'verify', file('cut.jsonl'), '--trust', file('root.pem'));
    const json = await hanbeon('audit', 'verify', file('cut.jsonl'), '--trust', file('root.pem'), '--json');

    expect(words.code).toBe(1);
    expect(words.stdout).toContain(`BROKEN: record ${removed.seq}`);
    expect(words.stdout).toContain('removed');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ intact: false, firstProblem: { kind: 'removed', seq: removed.seq } });
  });

  it("exports and verifies one petition's trail", async () => {
    const exported = await hanbeon('audit', 'export', '--petition', petitionId, '--out', file('petition.jsonl'));
    const verified = await hanbeon('audit', 'verify', file('petition.jsonl'), '--trust', file('root.pem'), '--json');

    expect(exported.code).toBe(0);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ intact: true, scope: 'petition', petitionId });
  });

  it('exits 2 for a file that is no export, a missing trust anchor, or an unknown command', async () => {
    await writeFile(file('not-an-export.jsonl'), 'hello\n');

    const notExport = await hanbeon('audit', 'verify', file('not-an-export.jsonl'), '--trust', file('root.pem'));
    const noTrust = await hanbeon('audit', 'verify', file('not-an-export.jsonl'));
    const unknown = await hanbeon('audit', 'rewrite');

    expect(notExport.code).toBe(2);
    expect(notExport.stderr).toContain('is not an audit export');
    expect(noTrust.code).toBe(2);
    expect(unknown.code).toBe(2);
  });
});
