/**
 * The audit trail on the single table (docs/adr/0008): single-item conditional writes only, so it
 * works on dynalite (no transactions) as on DynamoDB. Events and chain data are kept as JSON text,
 * so what is hashed comes back byte for byte as it was written.
 */
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { EMPTY_HEAD, type ChainedRecord, type ChainHead, type Checkpoint } from '../audit/chain.ts';
import { petitionOf, type AccessEvent, type AuditEvent, type EvidenceEvent } from '../audit/events.ts';
import type { AuditChainStore, AuditPage, AuditReader, AuditRecorder, CitizenAccessEntry, RecordOptions, StoredChainHead } from '../audit/ports.ts';
import { isConditionalCheckFailed, putIfAbsent } from './conditional-writes.ts';
import { decodeCursor, encodeCursor, validStoredKey } from './page-cursor.ts';
import { AUDIT_CHAIN_BUCKET, AUDIT_PENDING, SORT_PREFIX, TABLE_KEYS, auditChainBucket, itemKeys } from './table.ts';

export interface DynamoAuditStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

type Item = Record<string, unknown>;

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** Two records claim one seq: the table was written by something other than the chainer. */
export class AuditChainConflictError extends Error {
  constructor(seq: number, stored: string, claimed: string) {
    super(`chain entry ${seq} holds record '${stored}'; expected '${claimed}' (the record the head was claimed for)`);
    this.name = 'AuditChainConflictError';
  }
}

const eventOf = (item: Item): AuditEvent => JSON.parse(item.eventJson as string) as AuditEvent;

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
    const byKey = new Map(items.map((item) => [`${item.pk as string}|${item.sk as string}`, item]));
    return keys
      .map((key) => byKey.get(`${key.pk}|${key.sk}`))
      .filter((item): item is Item => item !== undefined && item.seq === undefined)
      .map(eventOf);
  }

  async petitionHead(petitionId: string): Promise<ChainHead | undefined> {
    const item = await this.getItem(itemKeys.auditPetitionHead(petitionId));
    return item && { seq: item.seq as number, hash: item.hash as string };
  }

  async storeChained(entry: ChainedRecord): Promise<void> {
    const petitionId = petitionOf(entry.record);
    // The chain entry and the petition's head in parallel; the event last, so it marks the whole as done.
    await Promise.all([this.putChainEntry(entry), petitionId === undefined ? undefined : this.advancePetitionHead(petitionId, entry)]);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.auditEvent(petitionId, entry.record.id),
        UpdateExpression: `SET #seq = :seq, chainedJson = :chained REMOVE ${TABLE_KEYS.active.partitionKey}, ${TABLE_KEYS.active.sortKey}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#seq': 'seq' },
        ExpressionAttributeValues: { ':seq': entry.seq, ':chained': JSON.stringify(entry) },
      }),
    );
  }

  /** The chain entry, by seq: what an export reads. */
  private async putChainEntry(entry: ChainedRecord): Promise<void> {
    const entryKey = itemKeys.auditChainEntry(entry.seq);
    if (await putIfAbsent(this.client, this.tableName, { ...entryKey, itemType: 'audit-chain', seq: entry.seq, recordId: entry.record.id, entryJson: JSON.stringify(entry) })) return;
    const existing = await this.getItem(entryKey);
    if (existing?.recordId !== entry.record.id) throw new AuditChainConflictError(entry.seq, String(existing?.recordId), entry.record.id);
  }

  /** The petition's head, only ever forward: a repeat, or an earlier record's write landing late, changes nothing. */
  private async advancePetitionHead(petitionId: string, entry: ChainedRecord): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKeys.auditPetitionHead(petitionId),
          UpdateExpression: 'SET #seq = :seq, #hash = :hash, itemType = :type',
          ConditionExpression: 'attribute_not_exists(pk) OR #seq < :seq',
          ExpressionAttributeNames: { '#seq': 'seq', '#hash': 'hash' },
          ExpressionAttributeValues: { ':seq': entry.petitionSeq, ':hash': entry.hash, ':type': 'audit-petition-head' },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
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

  async isStored(entry: ChainedRecord): Promise<boolean> {
    const item = await this.getItem(itemKeys.auditEvent(petitionOf(entry.record), entry.record.id));
    return item?.seq === entry.seq;
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
    for (let bucket = Math.floor(fromSeq / AUDIT_CHAIN_BUCKET); bucket <= Math.floor(head.seq / AUDIT_CHAIN_BUCKET); bucket++) {
      const from = itemKeys.auditChainEntry(Math.max(fromSeq, bucket * AUDIT_CHAIN_BUCKET)).sk;
      for await (const item of this.query({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': auditChainBucket(bucket), ':from': from },
        ConsistentRead: true,
      })) {
        yield JSON.parse(item.entryJson as string) as ChainedRecord;
      }
    }
  }

  async readPetitionChain(petitionId: string): Promise<ChainedRecord[]> {
    const records: ChainedRecord[] = [];
    for await (const item of this.query({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
      ExpressionAttributeValues: { ':pk': itemKeys.auditPetitionHead(petitionId).pk, ':event': SORT_PREFIX.auditEvent },
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
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`page limit must be a positive integer, received ${limit}`);
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
        Limit: Math.min(limit, MAX_PAGE_SIZE),
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
