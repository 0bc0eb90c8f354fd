/**
 * `hanbeon audit export | verify`, run as an operator and an auditor would: export the trail of a
 * stopped embedded platform from its DATA_DIR, then check the file offline with the root alone.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runHanbeon } from '../support/cli.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, recordHash, type ChainedRecord } from '../../shared/audit/chain.ts';
import { petitionOf } from '../../shared/audit/events.ts';
import { startTestPlatform } from '../support/platform.ts';

let dataDir: string;
let rootPem: string;
let petitionId: string;

const hanbeon = (...args: string[]) => runHanbeon(args, { DATA_DIR: dataDir });

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

  it('does not pass a rewritten trail whose checkpoints were dropped: the links check out, nothing signed proves them (exit 2)', async () => {
    await hanbeon('audit', 'export', '--out', file('trail.jsonl'));
    const [header, ...rest] = (await readFile(file('trail.jsonl'), 'utf8')).split('\n').filter((line) => line !== '');
    // The forger's work: drop every checkpoint, change one record, and recompute every link after it.
    const records = rest.map((line) => JSON.parse(line) as { type: string } & ChainedRecord).filter((line) => line.type === 'record');
    records[2]!.record = { ...records[2]!.record, at: '2020-01-01T00:00:00.000Z' };
    const heads = new Map<string, string>();
    let previous = GENESIS_HASH;
    for (const entry of records) {
      entry.prevHash = previous;
      const petition = petitionOf(entry.record);
      if (petition !== undefined) entry.petitionPrevHash = heads.get(petition) ?? GENESIS_HASH;
      entry.hash = recordHash(entry, entry.record);
      if (petition !== undefined) heads.set(petition, entry.hash);
      previous = entry.hash;
    }
    await writeFile(file('forged.jsonl'), [header, ...records.map((entry) => JSON.stringify(entry))].join('\n') + '\n');

    const verified = await hanbeon('audit', 'verify', file('forged.jsonl'), '--trust', file('root.pem'));

    expect(verified.stdout).toContain('NOT SEALED');
    expect(verified.stdout).not.toContain('INTACT');
    expect(verified.code).toBe(2);
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
