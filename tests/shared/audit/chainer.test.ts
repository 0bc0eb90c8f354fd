/**
 * The chainer against the real store (dynalite): events recorded by many writers are linked once,
 * in time order, into the global chain and their petition's chain; a crash between claiming the
 * head and storing the record is finished by the next run; checkpoints are sealed by the platform
 * seal and timestamped, every N records or T seconds.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AuditChainer,
  ChainHeadMovedError,
  GENESIS_HASH,
  auditEvents,
  petitionOf,
  pkiCheckpointSealer,
  recordHash,
  verifyAuditExport,
  type AuditChainStore,
  type ChainedRecord,
} from '../../../shared/audit/index.ts';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditStore } from '../../../shared/store/dynamo-audit-store.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';
import { exportText, givenAuditStore, givenTrust, petitionEvents } from './audit-fixtures.ts';

const dynamo = useLocalDynamo();
let trust: Awaited<ReturnType<typeof givenTrust>>;
let now = Date.parse('2026-11-24T09:00:00Z');
const clock = () => new Date(now);

beforeAll(async () => {
  trust = await givenTrust(clock);
});

const chainerOf = (store: AuditChainStore, options: { everyRecords?: number; intervalMs?: number } = {}) =>
  new AuditChainer({ store, seal: pkiCheckpointSealer(trust.pki), clock, checkpointEveryRecords: options.everyRecords ?? 1000, checkpointIntervalMs: options.intervalMs ?? 300_000 });

const chainOf = async (store: DynamoAuditStore): Promise<ChainedRecord[]> => {
  const records: ChainedRecord[] = [];
  for await (const record of store.readChain()) records.push(record);
  return records;
};

describe('AuditChainer', () => {
  it('links recorded events in time order, each to the previous record and to its petition’s previous record', async () => {
    const store = await givenAuditStore(dynamo);
    const first = petitionEvents(new Date('2026-11-24T08:00:00Z'));
    const second = petitionEvents(new Date('2026-11-24T08:00:00.500Z'));
    // Recorded out of order and interleaved, as concurrent Lambdas would.
    for (const event of [...second].reverse()) await store.record(event);
    for (const event of first) await store.record(event);

    const summary = await chainerOf(store).run();
    const chain = await chainOf(store);

    expect(summary.chained).toBe(first.length + second.length);
    expect(chain.map((r) => r.seq)).toEqual(chain.map((_, i) => i + 1));
    const times = chain.map((r) => r.record.at);
    expect(times).toEqual([...times].sort());
    chain.forEach((record, i) => {
      expect(record.prevHash).toBe(i === 0 ? GENESIS_HASH : chain[i - 1]!.hash);
      expect(record.hash).toBe(recordHash(record, record.record));
    });
    const firstPetition = await store.readPetitionChain(petitionOf(first[0]!)!);
    expect(firstPetition.map((r) => r.record.id)).toEqual(first.map((e) => e.id));
    firstPetition.forEach((record, i) => {
      expect(record.petitionSeq).toBe(i + 1);
      expect(record.petitionPrevHash).toBe(i === 0 ? GENESIS_HASH : firstPetition[i - 1]!.hash);
    });
  });

  it('records an event once however often it is recorded: the first record of an id wins, before and after chaining', async () => {
    const store = await givenAuditStore(dynamo);
    const petitionId = randomUUID();
    const original = auditEvents.status(petitionId, 'DECIDING', new Date('2026-11-24T08:00:00Z'));
    const replayed = auditEvents.status(petitionId, 'DECIDING', new Date('2026-11-24T08:05:00Z'));

    await store.record(original);
    await store.record(replayed);
    await chainerOf(store).run();
    await store.record(replayed);
    await chainerOf(store).run();

    const chain = await chainOf(store);
    expect(chain.map((r) => r.record)).toEqual([original]);
  });

  it.each([
    ['after claiming the head, before storing anything', 0],
    ['while storing: the block and two events written, four not', 2],
  ])('finishes, on the next run, an append a crash interrupted %s', async (_, storedBeforeCrash) => {
    const tableName = await dynamo.table('audit');
    const store = new DynamoAuditStore({ client: dynamo.documents(), tableName });
    const events = petitionEvents(new Date('2026-11-24T08:00:00Z'));
    for (const event of events) await store.record(event);
    // The process dies after the head was claimed for the six records: before storing them, or
    // once the batch of event writes has marked `storedBeforeCrash` of them.
    const dying = Object.create(dynamo.documents()) as DynamoDBDocumentClient;
    dying.send = (async (command: { input: { RequestItems?: Record<string, unknown[]> } }) => {
      if (!(command instanceof BatchWriteCommand)) return dynamo.documents().send(command as never);
      const puts = command.input.RequestItems![tableName]!;
      await dynamo.documents().send(new BatchWriteCommand({ RequestItems: { [tableName]: puts.slice(0, storedBeforeCrash) as never } }));
      throw new Error('process killed');
    }) as never;
    const crashing: AuditChainStore =
      storedBeforeCrash === 0
        ? Object.assign(Object.create(store) as AuditChainStore, { storeChained: async () => Promise.reject(new Error('process killed')) })
        : new DynamoAuditStore({ client: dying, tableName });
    await expect(chainerOf(crashing).run()).rejects.toThrow('process killed');
    const interrupted = await store.readHead();
    expect(interrupted.seq).toBe(events.length);
    expect((await store.listPending(100)).map((e) => e.id)).toEqual(events.slice(storedBeforeCrash).map((e) => e.id));

    const summary = await chainerOf(store).run();

    expect(summary.recovered).toEqual(events.slice(storedBeforeCrash).map((e) => e.id));
    const chain = await chainOf(store);
    expect(chain.map((r) => r.record.id)).toEqual(events.map((e) => e.id));
    expect(chain).toEqual(interrupted.claimed);
    expect(await store.readPetitionChain(petitionOf(events[0]!)!)).toEqual(interrupted.claimed);
    expect(await store.listPending(100)).toEqual([]);
    expect((await store.readHead()).claimed).toBeUndefined();
    const verdict = await verifyAuditExport(await exportText(store), trust.root);
    expect(verdict.firstProblem).toBeUndefined();
    expect(verdict.intact).toBe(true);
  });

  it('links a petition’s later records to its earlier ones chained by a previous run', async () => {
    const store = await givenAuditStore(dynamo);
    const petitionId = randomUUID();
    const events = petitionEvents(new Date('2026-11-24T08:00:00Z'), petitionId);
    for (const event of events.slice(0, 2)) await store.record(event);
    await chainerOf(store).run();
    await store.record(auditEvents.status(randomUUID(), 'RECEIVED', new Date('2026-11-24T08:00:01.500Z')));
    for (const event of events.slice(2)) await store.record(event);

    await chainerOf(store).run();

    const petition = await store.readPetitionChain(petitionId);
    expect(petition.map((r) => r.record.id)).toEqual(events.map((e) => e.id));
    petition.forEach((record, i) => {
      expect(record.petitionSeq).toBe(i + 1);
      expect(record.petitionPrevHash).toBe(i === 0 ? GENESIS_HASH : petition[i - 1]!.hash);
    });
    expect((await verifyAuditExport(await exportText(store, { petitionId }), trust.root)).intact).toBe(true);
  });

  it('reads the global chain from any seq, across the records of one claim', async () => {
    const store = await givenAuditStore(dynamo);
    const events = [...petitionEvents(new Date('2026-11-24T08:00:00Z')), ...petitionEvents(new Date('2026-11-24T08:00:10Z'))];
    for (const event of events) await store.record(event);
    await chainerOf(store).run();
    const chain = await chainOf(store);

    const fromSeven: ChainedRecord[] = [];
    for await (const record of store.readChain(7)) fromSeven.push(record);

    expect(fromSeven).toEqual(chain.slice(6));
  });

  it('refuses to append when another chainer moved the head, writing nothing', async () => {
    const store = await givenAuditStore(dynamo);
    await store.record(auditEvents.status(randomUUID(), 'RECEIVED', new Date('2026-11-24T08:00:00Z')));
    const racing: AuditChainStore = Object.assign(Object.create(store) as AuditChainStore, { claimHead: async () => false });

    await expect(chainerOf(racing).run()).rejects.toBeInstanceOf(ChainHeadMovedError);

    expect((await store.readHead()).seq).toBe(0);
    expect(await store.listPending(10)).toHaveLength(1);
  });

  it('seals a checkpoint every N records, and after T seconds once a record was added, signed by the platform seal and timestamped', async () => {
    const store = await givenAuditStore(dynamo);
    const chainer = chainerOf(store, { everyRecords: 4, intervalMs: 60_000 });
    const events = [...petitionEvents(new Date('2026-11-24T08:00:00Z')), ...petitionEvents(new Date('2026-11-24T08:00:10Z'))];
    for (const event of events.slice(0, 9)) await store.record(event);

    const first = await chainer.run();
    now += 30_000;
    await store.record(events[9]!);
    const early = await chainer.run();
    now += 30_000;
    const due = await chainer.run();
    const idle = await chainer.run();

    expect(first.checkpoints).toEqual([4, 8]);
    expect(early.checkpoints).toEqual([]);
    expect(due.checkpoints).toEqual([10]);
    expect(idle.checkpoints).toEqual([]);
    const verdict = await verifyAuditExport(await exportText(store), trust.root);
    expect(verdict.checkpoints.map((c) => [c.seq, c.ok, c.signedBy])).toEqual([4, 8, 10].map((seq) => [seq, true, 'hanbeon 플랫폼 직인']));
    expect(verdict.sealedThrough).toBe(10);
    expect(verdict.intact).toBe(true);
  });
});
