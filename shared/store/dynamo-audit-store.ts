/**
 * The audit trail on the single table (docs/adr/0008): single-item conditional writes and batch
 * puts only, so it works on dynalite (no transactions) as on DynamoDB. Events and chain data are
 * kept as JSON text, so what is hashed comes back byte for byte as it was written.
 */
import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { EMPTY_HEAD, type ChainedRecord, type ChainHead, type Checkpoint } from '../audit/chain.ts';
import { petitionOf, type AccessEvent, type AuditEvent, type EvidenceEvent } from '../audit/events.ts';
import type { AuditChainStore, AuditPage, AuditReader, AuditRecorder, CitizenAccessEntry, RecordOptions, StoredChainHead } from '../audit/ports.ts';
import { isConditionalCheckFailed, putIfAbsent } from './conditional-writes.ts';
import { decodeCursor, encodeCursor, pageLimit, validStoredKey } from './page-cursor.ts';
import { AUDIT_CHAIN_BUCKET, AUDIT_PENDING, SORT_PREFIX, TABLE_KEYS, auditChainBucket, itemKeys } from './table.ts';

export interface DynamoAuditStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

type Item = Record<string, unknown>;

const DEFAULT_PAGE_SIZE = 20;
/** Where chain blocks' sort keys start (before the first block of a bucket). */
const SEQ_PREFIX = 'SEQ#';

/** Two claims hold one seq: the table was written by something other than the chainer. */
export class AuditChainConflictError extends Error {
  constructor(seq: number, stored: string, claimed: string) {
    super(`the chain block at seq ${seq} ends in hash ${stored}; expected ${claimed} (the records the head was claimed for)`);
    this.name = 'AuditChainConflictError';
  }
}

/** A claimed record whose event item is gone: the table was written by something other than the recorder. */
export class AuditEventMissingError extends Error {
  constructor(seq: number, recordId: string) {
    super(`the event '${recordId}' claimed as chain record ${seq} is not in the table; expected the item it was recorded as`);
    this.name = 'AuditEventMissingError';
  }
}

const eventOf = (item: Item): AuditEvent => JSON.parse(item.eventJson as string) as AuditEvent;

const keyString = (item: Item): string => `${item.pk as string}|${item.sk as string}`;

/** The records of a chain item: a claim's block, or one record as chains written before blocks kept them. */
const entriesOf = (item: Item): ChainedRecord[] =>
  typeof item.entriesJson === 'string' ? (JSON.parse(item.entriesJson) as ChainedRecord[]) : [JSON.parse(item.entryJson as string) as ChainedRecord];

/** BatchWriteItem's limit of items per request. */
const WRITE_BATCH = 25;

/** A cursor is the index's LastEvaluatedKey: four string attributes, the caller's own partition pinned. */
const cursorKey = (cursor: string, pinned: Record<string, string>): Record<string, string> =>
  validStoredKey(decodeCursor(cursor), ['pk', 'sk', TABLE_KEYS.byCitizen.partitionKey, TABLE_KEYS.byCitizen.sortKey], pinned);

const isCitizenVisible = (event: AuditEvent): event is EvidenceEvent | AccessEvent => event.kind === 'evidence' || event.kind === 'access';

/** AuditRecorder, AuditChainStore and AuditReader on one DynamoDB table. */
export class DynamoAuditStore implements AuditRecorder, AuditChainStore, AuditReader {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoAuditStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  // --- recording ---------------------------------------------------------------------------------

  async record(event: AuditEvent, options: RecordOptions = {}): Promise<void> {
    // First writer wins: a replayed step or a retried Lambda records the same id, and nothing happens.
    await putIfAbsent(this.client, this.tableName, {
      ...itemKeys.auditEvent(petitionOf(event), event.id),
      ...itemKeys.auditPending(event.at, event.id),
      ...(options.citizen !== undefined && isCitizenVisible(event) ? itemKeys.auditByCitizen(options.citizen, event.at, event.id) : {}),
      itemType: 'audit-event',
      kind: event.kind,
      at: event.at,
      eventJson: JSON.stringify(event),
    });
  }

  // --- chaining ----------------------------------------------------------------------------------

  async readHead(): Promise<StoredChainHead> {
    const item = await this.getItem(itemKeys.auditHead());
    if (!item) return { ...EMPTY_HEAD };
    return {
      seq: item.seq as number,
      hash: item.hash as string,
      ...(typeof item.claimedJson === 'string' ? { claimed: JSON.parse(item.claimedJson) as ChainedRecord[] } : {}),
    };
  }

  async claimHead(from: ChainHead, entries: ChainedRecord[]): Promise<boolean> {
    const entry = entries[entries.length - 1];
    if (!entry || entries[0]!.seq !== from.seq + 1) throw new RangeError(`claiming ${entries.length} records from seq ${entries[0]?.seq ?? '-'}; expected consecutive records from seq ${from.seq + 1}`);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKeys.auditHead(),
          UpdateExpression: 'SET #seq = :seq, #hash = :hash, claimedJson = :claimed, itemType = :type',
          ConditionExpression: from.seq === 0 ? 'attribute_not_exists(pk)' : '#seq = :from',
          ExpressionAttributeNames: { '#seq': 'seq', '#hash': 'hash' },
          ExpressionAttributeValues: { ':seq': entry.seq, ':hash': entry.hash, ':claimed': JSON.stringify(entries), ':type': 'audit-head', ...(from.seq === 0 ? {} : { ':from': from.seq }) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async listPending(limit: number): Promise<AuditEvent[]> {
    const { indexName, partitionKey } = TABLE_KEYS.active;
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :pending',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: { ':pending': AUDIT_PENDING },
        Limit: limit,
      }),
    );
    const keys = (output.Items ?? []).map((item) => ({ pk: item.pk as string, sk: item.sk as string }));
    if (keys.length === 0) return [];
    // The index is eventually consistent on AWS: the items themselves, read consistently, say
    // whether an event is still pending (an event chained a moment ago may still be listed).
    const items = await this.batchGet(keys);
    const byKey = new Map(items.map((item) => [keyString(item), item]));
    return keys
      .map((key) => byKey.get(keyString(key)))
      .filter((item): item is Item => item !== undefined && item.seq === undefined)
      .map(eventOf);
  }

  async petitionHead(petitionId: string): Promise<ChainHead | undefined> {
    // Derived from the petition's chained events rather than kept in an item of its own: one write
    // less per record. Complete because every claim is stored before the next run links anything.
    let head: ChainHead | undefined;
    for await (const item of this.query({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
      ProjectionExpression: 'chainedJson',
      ExpressionAttributeValues: { ':pk': itemKeys.auditPetition(petitionId), ':event': SORT_PREFIX.auditEvent },
      ConsistentRead: true,
    })) {
      if (typeof item.chainedJson !== 'string') continue;
      const entry = JSON.parse(item.chainedJson) as ChainedRecord;
      if (head === undefined || entry.petitionSeq! > head.seq) head = { seq: entry.petitionSeq!, hash: entry.hash };
    }
    return head;
  }

  async storeChained(entries: ChainedRecord[]): Promise<string[]> {
    if (entries.length === 0) return [];
    // The block first: once an event is marked chained, the global chain holds its record.
    await this.putChainBlock(entries);
    const keys = entries.map((entry) => itemKeys.auditEvent(petitionOf(entry.record), entry.record.id));
    const items = new Map((await this.batchGet(keys)).map((item) => [keyString(item), item]));
    const marked: Item[] = [];
    entries.forEach((entry, i) => {
      const item = items.get(keyString(keys[i]!));
      if (!item) throw new AuditEventMissingError(entry.seq, entry.record.id);
      if (item.seq === entry.seq) return;
      // BatchWriteItem has no update: the item is put again whole — as recorded (citizen index
      // keys included), with its seq and chain entry, and without the pending keys. Only the
      // chainer rewrites an event item, and recording never overwrites one.
      const { [TABLE_KEYS.active.partitionKey]: _pendingKey, [TABLE_KEYS.active.sortKey]: _pendingSort, ...recorded } = item;
      marked.push({ ...recorded, seq: entry.seq, chainedJson: JSON.stringify(entry) });
    });
    await this.batchPut(marked);
    return marked.map((item) => eventOf(item).id);
  }

  /** The claim's records by seq, in one item under the first one's seq: what an export reads. */
  private async putChainBlock(entries: ChainedRecord[]): Promise<void> {
    const first = entries[0]!;
    const last = entries[entries.length - 1]!;
    const key = itemKeys.auditChainBlock(first.seq);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, itemType: 'audit-chain-block', seq: first.seq, lastSeq: last.seq, hash: last.hash, entriesJson: JSON.stringify(entries) },
          // The same block again (a recovery) is fine; another one at this seq is not. The last
          // hash commits to every record of the block.
          ConditionExpression: 'attribute_not_exists(pk) OR #hash = :hash',
          ExpressionAttributeNames: { '#hash': 'hash' },
          ExpressionAttributeValues: { ':hash': last.hash },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const existing = await this.getItem(key);
      throw new AuditChainConflictError(first.seq, String(existing?.hash), last.hash);
    }
  }

  async settleClaim(head: ChainHead): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKeys.auditHead(),
          UpdateExpression: 'REMOVE claimedJson',
          ConditionExpression: '#seq = :seq',
          ExpressionAttributeNames: { '#seq': 'seq' },
          ExpressionAttributeValues: { ':seq': head.seq },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async latestCheckpoint(): Promise<Checkpoint | undefined> {
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': itemKeys.auditCheckpoint(0).pk },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = output.Items?.[0];
    return item && (JSON.parse(item.checkpointJson as string) as Checkpoint);
  }

  async putCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await putIfAbsent(this.client, this.tableName, { ...itemKeys.auditCheckpoint(checkpoint.seq), itemType: 'audit-checkpoint', seq: checkpoint.seq, checkpointJson: JSON.stringify(checkpoint) });
  }

  // --- reading -----------------------------------------------------------------------------------

  async *readChain(fromSeq = 1): AsyncIterable<ChainedRecord> {
    const head = await this.readHead();
    const start = await this.blockHolding(fromSeq);
    for (let bucket = start.bucket; bucket <= Math.floor(head.seq / AUDIT_CHAIN_BUCKET); bucket++) {
      for await (const item of this.query({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': auditChainBucket(bucket), ':from': bucket === start.bucket ? start.sk : SEQ_PREFIX },
        ConsistentRead: true,
      })) {
        for (const entry of entriesOf(item)) if (entry.seq >= fromSeq) yield entry;
      }
    }
  }

  /** Where the block holding `seq` is kept: at or before `seq`, possibly in the bucket before. */
  private async blockHolding(seq: number): Promise<{ bucket: number; sk: string }> {
    const key = itemKeys.auditChainBlock(seq);
    const bucketOfSeq = Math.floor(seq / AUDIT_CHAIN_BUCKET);
    for (let bucket = bucketOfSeq; bucket >= Math.max(0, bucketOfSeq - 1); bucket--) {
      const output = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk <= :to',
          ExpressionAttributeValues: { ':pk': auditChainBucket(bucket), ':to': key.sk },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      const item = output.Items?.[0];
      if (item) return { bucket, sk: item.sk as string };
    }
    return { bucket: bucketOfSeq, sk: key.sk };
  }

  async readPetitionChain(petitionId: string): Promise<ChainedRecord[]> {
    const records: ChainedRecord[] = [];
    for await (const item of this.query({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
      ExpressionAttributeValues: { ':pk': itemKeys.auditPetition(petitionId), ':event': SORT_PREFIX.auditEvent },
      ConsistentRead: true,
    })) {
      if (typeof item.chainedJson === 'string') records.push(JSON.parse(item.chainedJson) as ChainedRecord);
    }
    return records.sort((a, b) => (a.petitionSeq ?? 0) - (b.petitionSeq ?? 0));
  }

  async *readCheckpoints(): AsyncIterable<Checkpoint> {
    for await (const item of this.query({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': itemKeys.auditCheckpoint(0).pk },
      ConsistentRead: true,
    })) {
      yield JSON.parse(item.checkpointJson as string) as Checkpoint;
    }
  }

  async listCitizenAccess(citizen: string, page: { limit?: number; cursor?: string } = {}): Promise<AuditPage<CitizenAccessEntry>> {
    const limit = pageLimit(page.limit, DEFAULT_PAGE_SIZE);
    const { indexName, partitionKey, sortKey } = TABLE_KEYS.byCitizen;
    const citizenKey = itemKeys.citizen(citizen);
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :citizen AND begins_with(#sk, :audit)',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':citizen': citizenKey, ':audit': SORT_PREFIX.citizenAudit },
        ScanIndexForward: false,
        Limit: limit,
        ...(page.cursor === undefined ? {} : { ExclusiveStartKey: cursorKey(page.cursor, { [partitionKey]: citizenKey }) }),
      }),
    );
    const items = (output.Items ?? [])
      .map((item) => ({ event: eventOf(item), seq: item.seq as number | undefined }))
      .filter((entry): entry is { event: EvidenceEvent | AccessEvent; seq: number | undefined } => isCitizenVisible(entry.event))
      .map(({ event, seq }) => ({ event, ...(seq === undefined ? {} : { seq }) }));
    return { items, ...(output.LastEvaluatedKey ? { cursor: encodeCursor(output.LastEvaluatedKey) } : {}) };
  }

  // --- plumbing ----------------------------------------------------------------------------------

  private async getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    return (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
  }

  private async *query(input: QueryCommandInput): AsyncIterable<Item> {
    let startKey: Item | undefined;
    do {
      const output = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      yield* output.Items ?? [];
      startKey = output.LastEvaluatedKey;
    } while (startKey);
  }

  private async batchPut(items: Item[]): Promise<void> {
    for (let from = 0; from < items.length; from += WRITE_BATCH) {
      let pending = items.slice(from, from + WRITE_BATCH).map((item) => ({ PutRequest: { Item: item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 8) throw new Error(`audit store: DynamoDB left ${pending.length} puts unprocessed after ${attempt} attempts`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(100, 5 * 2 ** attempt) * Math.random()));
        const output = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (output.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  private async batchGet(keys: { pk: string; sk: string }[]): Promise<Item[]> {
    const found: Item[] = [];
    let pending: Record<string, unknown>[] = keys;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`audit store: DynamoDB left ${pending.length} keys unprocessed after ${attempt} attempts`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(100, 5 * 2 ** attempt) * Math.random()));
      const output = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(output.Responses?.[this.tableName] ?? []));
      pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return found;
  }
}
