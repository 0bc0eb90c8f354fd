/**
 * Offline verification of an export: a chain built by the real chainer on dynalite, sealed with a
 * real hierarchy, then tampered with as an insider with table access would — records removed,
 * reordered, altered (with and without recomputed hashes), cut off the end, checkpoints forged.
 * The verifier names the first bad record. openssl confirms the checkpoint crypto independently.
 */
import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AuditChainer,
  AuditExportUnreadableError,
  checkpointDigest,
  pkiCheckpointSealer,
  recordHash,
  verifyAuditExport,
  type ChainedRecord,
} from '../../../shared/audit/index.ts';
import { checkpointMessage } from '../../../shared/audit/chain.ts';
import type { DynamoAuditStore } from '../../../shared/store/dynamo-audit-store.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';
import { givenWorkDir, run } from '../seal/pki-fixtures.ts';
import { exportText, givenAuditStore, givenTrust, petitionEvents } from './audit-fixtures.ts';

const dynamo = useLocalDynamo();
let trust: Awaited<ReturnType<typeof givenTrust>>;
let store: DynamoAuditStore;
let text: string;
const petitionIds = [randomUUID(), randomUUID(), randomUUID()];

beforeAll(async () => {
  trust = await givenTrust();
  store = await givenAuditStore(dynamo);
  // Three petitions, six events each, interleaved in time: 18 records, checkpoints at 5, 10, 15 and 18.
  const start = Date.parse('2026-11-24T08:00:00Z');
  for (const [i, id] of petitionIds.entries()) for (const event of petitionEvents(new Date(start + i * 300), id)) await store.record(event);
  await new AuditChainer({ store, seal: pkiCheckpointSealer(trust.pki), clock: () => new Date(), checkpointEveryRecords: 5, checkpointIntervalMs: 0 }).run();
  text = await exportText(store);
});

// --- an export as lines, and ways to tamper with it ------------------------------------------------

type Line = Record<string, unknown>;
const linesOf = (t: string) => t.trimEnd().split('\n');
const recordIndex = (lines: string[], seq: number) => lines.findIndex((l) => l.startsWith('{"type":"record"') && (JSON.parse(l) as Line).seq === seq);
const checkpointIndex = (lines: string[], seq: number) => lines.findIndex((l) => l.startsWith('{"type":"checkpoint"') && (JSON.parse(l) as Line).seq === seq);
const join = (lines: string[]) => `${lines.join('\n')}\n`;
const verify = (t: string, root = trust.root) => verifyAuditExport(t, root);
const recordAt = (lines: string[], seq: number) => JSON.parse(lines[recordIndex(lines, seq)]!) as { type: 'record' } & ChainedRecord;

describe('verifyAuditExport', () => {
  it('accepts an untouched export: every hash, link and checkpoint checks out against the root', async () => {
    const result = await verify(text);

    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ intact: true, scope: 'global', records: 18, sealedThrough: 18, unsealed: 0, head: { seq: 18 } });
    expect(result.checkpoints.map((c) => [c.seq, c.ok])).toEqual([[5, true], [10, true], [15, true], [18, true]]);
  });

  it('names the first removed record', async () => {
    const lines = linesOf(text);
    lines.splice(recordIndex(lines, 7), 1);

    const result = await verify(join(lines));

    expect(result.intact).toBe(false);
    expect(result.firstProblem).toMatchObject({ kind: 'removed', seq: 7 });
  });

  it('names the first of two reordered records', async () => {
    const lines = linesOf(text);
    const [a, b] = [recordIndex(lines, 7), recordIndex(lines, 12)];
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];

    const result = await verify(join(lines));

    expect(result.firstProblem).toMatchObject({ kind: 'reordered', seq: 7, recordId: recordAt(linesOf(text), 12).record.id });
  });

  it('names an altered record, by its hash', async () => {
    const lines = linesOf(text);
    const i = recordIndex(lines, 9);
    const original = recordAt(lines, 9);
    lines[i] = lines[i]!.replace(`"at":"${original.record.at}"`, `"at":"${new Date(Date.parse(original.record.at) + 1000).toISOString()}"`);
    expect(lines[i]).not.toBe(linesOf(text)[i]);

    const result = await verify(join(lines));

    expect(result.firstProblem).toMatchObject({ kind: 'altered', seq: 9, recordId: original.record.id });
  });

  it('names a record altered and re-hashed, by the link the next record holds', async () => {
    const lines = linesOf(text);
    const record = recordAt(lines, 9);
    const forged = { ...record, record: { ...record.record, at: '2026-01-01T00:00:00.000Z' } };
    forged.hash = recordHash(forged, forged.record);
    lines[recordIndex(lines, 9)] = JSON.stringify(forged);

    const result = await verify(join(lines));

    expect(result.firstProblem).toMatchObject({ kind: 'altered', seq: 9, recordId: record.record.id });
  });

  it('catches a tail rewritten with every link recomputed, through the checkpoint that sealed it', async () => {
    const lines = linesOf(text);
    // A thorough forger: record 12 changed, then every global and per-petition link after it recomputed.
    const petitionHeads = new Map<string, string>();
    for (let seq = 1; seq <= 11; seq++) {
      const record = recordAt(lines, seq);
      petitionHeads.set((record.record as { petitionId: string }).petitionId, record.hash);
    }
    let prev = recordAt(lines, 11).hash;
    for (let seq = 12; seq <= 18; seq++) {
      const record = recordAt(lines, seq);
      const petitionId = (record.record as { petitionId: string }).petitionId;
      const rewritten = { ...record, prevHash: prev, petitionPrevHash: petitionHeads.get(petitionId)!, record: seq === 12 ? { ...record.record, at: '2026-01-01T00:00:00.000Z' } : record.record };
      rewritten.hash = recordHash(rewritten, rewritten.record);
      lines[recordIndex(lines, seq)] = JSON.stringify(rewritten);
      petitionHeads.set(petitionId, rewritten.hash);
      prev = rewritten.hash;
    }

    const result = await verify(join(lines));

    // The chain alone is consistent; checkpoint 15 sealed another hash, and checkpoint 10 still matches.
    expect(result.firstProblem).toMatchObject({ kind: 'altered', seq: 11 });
    expect(result.firstProblem!.detail).toContain('records 11..15 were rewritten');
    expect(result.sealedThrough).toBe(10);
  });

  it('names records cut off the end, by the checkpoint that sealed them', async () => {
    const lines = linesOf(text);
    lines.splice(recordIndex(lines, 17), 2);

    const result = await verify(join(lines));

    expect(result.firstProblem).toMatchObject({ kind: 'removed', seq: 17 });
  });

  it('refuses a checkpoint re-signed with another key of the same hierarchy (an agency seal)', async () => {
    const lines = linesOf(text);
    const i = checkpointIndex(lines, 10);
    const checkpoint = JSON.parse(lines[i]!) as Line & { seq: number; hash: string; at: string };
    const seal = await trust.agencySeal();
    const signature = await seal.signer.signDigest(checkpointDigest(checkpoint));
    const certificate = Buffer.from(seal.certificate).toString('base64');
    const fingerprint = createHash('sha256').update(seal.certificate).digest('hex');
    const header = JSON.parse(lines[0]!) as { certificates: Record<string, string> };
    header.certificates[fingerprint] = certificate;
    lines[0] = JSON.stringify(header);
    lines[i] = JSON.stringify({ ...checkpoint, signature: Buffer.from(signature).toString('base64'), certificate: fingerprint });

    const result = await verify(join(lines));

    expect(result.firstProblem).toMatchObject({ kind: 'forged-checkpoint', seq: 10 });
    expect(result.firstProblem!.detail).toContain('법원 직인');
    expect(result.firstProblem!.detail).toContain('not the platform seal');
  });

  it('refuses a checkpoint whose statement was changed, and one carrying another checkpoint’s timestamp', async () => {
    const lines = linesOf(text);
    const i = checkpointIndex(lines, 10);
    const checkpoint = JSON.parse(lines[i]!) as Line;
    const other = JSON.parse(lines[checkpointIndex(lines, 5)]!) as Line;
    const changed = [...lines];
    changed[i] = JSON.stringify({ ...checkpoint, seq: 11 });
    const restamped = [...lines];
    restamped[i] = JSON.stringify({ ...checkpoint, timestampToken: other.timestampToken });

    expect((await verify(join(changed))).firstProblem).toMatchObject({ kind: 'forged-checkpoint', seq: 11 });
    expect((await verify(join(restamped))).firstProblem).toMatchObject({ kind: 'forged-checkpoint', seq: 10 });
    expect((await verify(join(restamped))).firstProblem!.detail).toContain('expected the checkpoint digest');
  });

  it('refuses every checkpoint under another root', async () => {
    const stranger = await givenTrust();

    const result = await verify(text, stranger.root);

    expect(result.checkpoints.every((c) => !c.ok)).toBe(true);
    expect(result.firstProblem).toMatchObject({ kind: 'forged-checkpoint', seq: 5 });
  });

  it('verifies one petition’s export alone, and names a record removed from it', async () => {
    const petitionText = await exportText(store, { petitionId: petitionIds[1]! });
    const lines = linesOf(petitionText);
    const third = lines.findIndex((l) => l.startsWith('{"type":"record"') && (JSON.parse(l) as Line).petitionSeq === 3);
    const removed = [...lines];
    removed.splice(third, 1);

    const intact = await verify(petitionText);
    const broken = await verify(join(removed));

    expect(intact).toMatchObject({ intact: true, scope: 'petition', petitionId: petitionIds[1], records: 6 });
    expect(intact.checkpoints.length).toBeGreaterThan(0);
    expect(broken.firstProblem).toMatchObject({ kind: 'removed', petitionSeq: 3 });
  });

  it('does not take a file that is no export for a verdict', async () => {
    await expect(verify('{"hello":"world"}\n')).rejects.toThrow(AuditExportUnreadableError);
    await expect(verify('')).rejects.toThrow(AuditExportUnreadableError);
  });

  it('seals checkpoints that openssl verifies independently: the signature with the platform seal, the timestamp up to the root', async () => {
    const lines = linesOf(text);
    const header = JSON.parse(lines[0]!) as { certificates: Record<string, string> };
    const checkpoint = JSON.parse(lines[checkpointIndex(lines, 18)]!) as { seq: number; hash: string; at: string; digest: string; signature: string; certificate: string; chain: string[]; timestampToken: string };
    const der = (fingerprint: string) => Buffer.from(header.certificates[fingerprint]!, 'base64');
    const work = await givenWorkDir();
    const sealPem = await work.pem('seal.pem', der(checkpoint.certificate));
    const publicKey = await run('openssl', ['x509', '-in', sealPem, '-pubkey', '-noout']);
    const keyPath = await work.raw('seal-pub.pem', Buffer.from(publicKey.stdout));

    const signature = await run('openssl', ['dgst', '-sha256', '-verify', keyPath, '-signature', await work.raw('sig.der', Buffer.from(checkpoint.signature, 'base64')), await work.raw('statement.json', Buffer.from(checkpointMessage(checkpoint)))]);
    const timestamp = await run('openssl', [
      'ts', '-verify', '-digest', checkpoint.digest, '-in', await work.raw('token.der', Buffer.from(checkpoint.timestampToken, 'base64')), '-token_in',
      '-CAfile', await work.pem('root.pem', trust.root), '-untrusted', await work.pem('chain.pem', checkpoint.chain.slice(0, -1).map(der)),
    ]);

    expect(signature.stdout).toContain('Verified OK');
    expect(timestamp.stdout).toContain('Verification: OK');
  });
});
