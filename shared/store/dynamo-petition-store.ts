import { createHash, randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { PetitionError, PetitionNotFoundError, VersionConflictError } from '../errors.ts';
import { isTerminal, type ArtifactKind, type EvidenceRecord, type Petition, type PetitionArtifact, type PetitionStatus, type TimelineEntry } from '../petition/model.ts';
import { canTransition } from '../petition/status.ts';
import type { IdempotencyRecord, Page, PetitionRecord, PetitionStore, StepRecord } from './ports.ts';
import { KEY_ATTRIBUTES, SORT_PREFIX, TABLE_KEYS, itemKeys } from './table.ts';
import { isConditionalCheckFailed, putIfAbsent } from './conditional-writes.ts';
import { decodeCursor, encodeCursor, InvalidCursorError, pageLimit, validStoredKey } from './page-cursor.ts';

/** The status machine forbids this move (e.g. COMPLETED → DECIDING). A bug or a stale caller, never retried. */
export class InvalidTransitionError extends PetitionError {
  readonly code = 'invalid-transition';
  readonly retryable = false;
  constructor(
    readonly petitionId: string,
    readonly from: PetitionStatus,
    readonly to: PetitionStatus,
  ) {
    super(`petition ${petitionId} cannot move from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

/** createPetition was called with an id that is already taken. */
export class PetitionAlreadyExistsError extends PetitionError {
  readonly code = 'petition-already-exists';
  readonly retryable = false;
  constructor(readonly petitionId: string) {
    super(`petition ${petitionId} already exists`);
    this.name = 'PetitionAlreadyExistsError';
  }
}

export { InvalidCursorError } from './page-cursor.ts';

export interface DynamoPetitionStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Injected for tests; timestamps and idempotency expiry are read from it. */
  clock?: () => Date;
}

/** A document client with the marshalling options this store expects (undefined values dropped). */
export const createDocumentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

const MAX_TRANSITION_ATTEMPTS = 10;
const DEFAULT_PAGE_SIZE = 20;

type Item = Record<string, unknown>;
type StoredKey = Record<string, string>;


const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** Drops undefined values at any depth, so the store works whatever the client's marshalling options. */
const compact = <T>(value: T): T => {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, compact(v)]),
    ) as T;
  }
  return value;
};

const withoutKeys = <T>(item: Item): T => {
  const copy: Item = { ...item };
  for (const name of KEY_ATTRIBUTES) delete copy[name];
  return copy as T;
};

/** The petition without storage attributes (keys, item type, the status history kept for the timeline). */
const toPetition = (item: Item): Petition => {
  const { statusHistory: _history, ...petition } = withoutKeys<Item>(item);
  return petition as unknown as Petition;
};

const clampLimit = (limit: number | undefined): number => pageLimit(limit, DEFAULT_PAGE_SIZE);

const petitionIdFromPk = (pk: string) => pk.slice('PETITION#'.length);

const byTime = (a: TimelineEntry, b: TimelineEntry): number => {
  const diff = Date.parse(a.at) - Date.parse(b.at);
  return Number.isNaN(diff) ? a.at.localeCompare(b.at) : diff;
};

/** PetitionStore on one DynamoDB table (dynalite locally): single-item conditional writes only, no transactions. */
export class DynamoPetitionStore implements PetitionStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => Date;

  constructor(options: DynamoPetitionStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.clock ?? (() => new Date());
  }

  async createPetition(petition: Petition): Promise<void> {
    const item: Item = {
      ...compact(petition),
      ...itemKeys.petition(petition.id),
      ...itemKeys.petitionByCitizen(petition.subject, petition.createdAt, petition.id),
      ...(isTerminal(petition.status) ? {} : itemKeys.activePetition(petition.id, petition.createdAt)),
      itemType: 'petition',
      // Status history lives on the petition item, appended by the same write that changes the status.
      statusHistory: [{ at: petition.createdAt, status: petition.status }],
    };
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new PetitionAlreadyExistsError(petition.id);
      throw error;
    }
  }

  async getPetition(id: string): Promise<Petition | undefined> {
    const item = await this.getItem(itemKeys.petition(id));
    return item && toPetition(item);
  }

  async transition(
    id: string,
    to: PetitionStatus,
    patch: Pick<Partial<Petition>, 'decision' | 'failure'> = {},
    known?: Petition,
  ): Promise<Petition> {
    const changes = compact({ decision: patch.decision, failure: patch.failure });
    for (let attempt = 1; ; attempt++) {
      const current = attempt === 1 && known ? known : await this.getPetition(id);
      if (!current) throw new PetitionNotFoundError(`petition ${id} does not exist (asked to move it to ${to})`);
      if (current.status === to) return current;
      if (!canTransition(current.status, to)) throw new InvalidTransitionError(id, current.status, to);

      const values: Item = {
        ':expected': current.version,
        ':next': current.version + 1,
        ':to': to,
        ':updatedAt': this.now().toISOString(),
        ':history': [{ at: this.now().toISOString(), status: to }],
        ':noHistory': [],
      };
      const names: Record<string, string> = { '#status': 'status', '#version': 'version', '#updatedAt': 'updatedAt', '#statusHistory': 'statusHistory' };
      const sets = [
        '#status = :to',
        '#version = :next',
        '#updatedAt = :updatedAt',
        '#statusHistory = list_append(if_not_exists(#statusHistory, :noHistory), :history)',
      ];
      for (const [field, value] of Object.entries(changes)) {
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
      // Leaving the active index is what stops the local runner from replaying a finished petition.
      const removal = isTerminal(to) ? ` REMOVE ${TABLE_KEYS.active.partitionKey}, ${TABLE_KEYS.active.sortKey}` : '';
      try {
        const output = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: itemKeys.petition(id),
            UpdateExpression: `SET ${sets.join(', ')}${removal}`,
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toPetition(output.Attributes ?? {});
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        if (attempt >= MAX_TRANSITION_ATTEMPTS) {
          throw new VersionConflictError(
            `petition ${id}: gave up moving to ${to} after ${attempt} attempts, version ${current.version} kept changing`,
            { cause: error },
          );
        }
        await sleep(2 + Math.random() * 8 * attempt);
      }
    }
  }

  async claimIdempotencyKey(
    record: IdempotencyRecord,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }> {
    // The key is client-chosen text: only its digest goes into the partition key.
    const key = itemKeys.idempotency(record.subject, sha256Hex(record.key));
    for (let attempt = 1; attempt <= 3; attempt++) {
      const nowSeconds = Math.floor(this.now().getTime() / 1000);
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...compact(record), ...key, itemType: 'idempotency' },
            // dynalite has no TTL: an expired claim is simply overwritten.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      const existing = await this.getItem(key);
      // It may have expired between the failed put and the read: then try to claim again.
      if (existing && (existing.expiresAt as number) >= nowSeconds) {
        return { claimed: false, existing: withoutKeys<IdempotencyRecord>(existing) };
      }
    }
    throw new VersionConflictError(`idempotency key for ${record.subject} kept changing hands while being claimed`);
  }

  async getPetitionAndStep(petitionId: string, stepKey: string): Promise<{ petition?: Petition; step?: StepRecord }> {
    const keys = [itemKeys.petition(petitionId), itemKeys.step(petitionId, stepKey)];
    const found: Item[] = [];
    let pending: Record<string, unknown>[] = keys;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(100, 5 * 2 ** attempt) * Math.random()));
      const output = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(output.Responses?.[this.tableName] ?? []));
      // DynamoDB may leave keys unprocessed under load: ask again for those, with backoff.
      pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (attempt > 8 && pending.length > 0) throw new Error(`petition ${petitionId}: DynamoDB left keys unprocessed after ${attempt} attempts`);
    }
    const petition = found.find((item) => item.sk === keys[0]!.sk);
    const step = found.find((item) => item.sk === keys[1]!.sk);
    return { ...(petition ? { petition: toPetition(petition) } : {}), ...(step ? { step: this.toStepRecord(step) } : {}) };
  }

  async getStepRecord(petitionId: string, stepKey: string): Promise<StepRecord | undefined> {
    const item = await this.getItem(itemKeys.step(petitionId, stepKey));
    return item && this.toStepRecord(item);
  }

  async putStepRecord(record: StepRecord): Promise<StepRecord> {
    const key = itemKeys.step(record.petitionId, record.stepKey);
    const { result, ...rest } = record;
    // Results are Step Functions payloads, i.e. JSON: stored as JSON text so they come back exactly as written.
    const item: Item = { ...compact(rest), ...key, itemType: 'step', resultJson: JSON.stringify(result) };
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: compact(item), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return this.toStepRecord(item);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const existing = await this.getItem(key);
    if (!existing) throw new Error(`step record ${record.stepKey} of petition ${record.petitionId} vanished after a conflict`);
    return this.toStepRecord(existing);
  }

  async appendTimeline(petitionId: string, entry: TimelineEntry): Promise<void> {
    const key = itemKeys.timelineEvent(petitionId, entry.at, randomBytes(6).toString('hex'));
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...compact(entry), ...key, itemType: 'event' } }));
  }

  async getTimeline(petitionId: string): Promise<TimelineEntry[]> {
    return (await this.getPetitionRecord(petitionId)).timeline;
  }

  /** One Query of the petition's partition: the petition, its timeline (status history, steps, events) and its evidence. */
  async getPetitionRecord(petitionId: string): Promise<PetitionRecord> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': itemKeys.petition(petitionId).pk },
      ConsistentRead: true,
    });
    const meta = items.find((item) => item.itemType === 'petition');
    const statusEntries = ((meta?.statusHistory ?? []) as { at: string; status: PetitionStatus }[]).map(
      (h): TimelineEntry => ({ at: h.at, state: 'Petition', kind: 'status', status: h.status }),
    );
    const eventEntries = items.filter((item) => item.itemType === 'event').map((item) => withoutKeys<TimelineEntry>(item));
    const stepEntries = items
      .filter((item) => item.itemType === 'step')
      .map((item): TimelineEntry => {
        const step = this.toStepRecord(item);
        const took = Date.parse(step.finishedAt) - Date.parse(step.startedAt);
        return {
          at: step.finishedAt,
          state: step.state,
          kind: 'step-completed',
          ...(Number.isNaN(took) ? {} : { detail: step.label ? `${step.label}, took ${took} ms` : `took ${took} ms` }),
        };
      });
    return {
      ...(meta ? { petition: toPetition(meta) } : {}),
      timeline: [...statusEntries, ...eventEntries, ...stepEntries].sort(byTime),
      evidence: items.filter((item) => item.itemType === 'evidence').map((item) => withoutKeys<EvidenceRecord>(item)),
      artifacts: items.filter((item) => item.itemType === 'artifact').map((item) => withoutKeys<PetitionArtifact>(item)),
    };
  }

  async putEvidence(record: EvidenceRecord): Promise<EvidenceRecord> {
    const key = itemKeys.evidence(record.petitionId, record.evidenceId);
    const item: Item = {
      ...compact(record),
      ...key,
      ...itemKeys.evidenceAccess(record.subject, record.retrievedAt, record.petitionId, record.evidenceId),
      itemType: 'evidence',
    };
    if (await putIfAbsent(this.client, this.tableName, item)) return record;
    const existing = await this.getItem(key);
    if (!existing) throw new Error(`evidence ${record.evidenceId} of petition ${record.petitionId} vanished after a conflict`);
    return withoutKeys<EvidenceRecord>(existing);
  }

  async putArtifact(artifact: PetitionArtifact): Promise<PetitionArtifact> {
    const key = itemKeys.artifact(artifact.petitionId, artifact.kind);
    if (await putIfAbsent(this.client, this.tableName, { ...compact(artifact), ...key, itemType: 'artifact' })) return artifact;
    const existing = await this.getArtifact(artifact.petitionId, artifact.kind);
    if (!existing) throw new Error(`${artifact.kind} of petition ${artifact.petitionId} vanished after a conflict`);
    return existing;
  }

  async getArtifact(petitionId: string, kind: ArtifactKind): Promise<PetitionArtifact | undefined> {
    const item = await this.getItem(itemKeys.artifact(petitionId, kind));
    return item && withoutKeys<PetitionArtifact>(item);
  }

  async listEvidence(petitionId: string): Promise<EvidenceRecord[]> {
    return (await this.getPetitionRecord(petitionId)).evidence;
  }

  async listActivePetitionIds(page: { limit?: number; cursor?: string } = {}): Promise<Page<string>> {
    const limit = clampLimit(page.limit);
    const { partitionKey, sortKey, indexName, shards } = TABLE_KEYS.active;
    let shard = 0;
    let startKey: StoredKey | undefined;
    if (page.cursor !== undefined) {
      const cursor = decodeCursor(page.cursor);
      if (typeof cursor.s !== 'number' || !Number.isInteger(cursor.s) || cursor.s < 0 || cursor.s >= shards) {
        throw new InvalidCursorError();
      }
      shard = cursor.s;
      if (cursor.k !== undefined) {
        startKey = validStoredKey(cursor.k, ['pk', 'sk', partitionKey, sortKey], { [partitionKey]: itemKeys.activeShard(shard) });
      }
    }

    // Shards are read one after the other; the cursor records the shard and the position inside it.
    const ids: string[] = [];
    while (shard < shards) {
      const output = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexName,
          KeyConditionExpression: '#pk = :shard',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: { ':shard': itemKeys.activeShard(shard) },
          Limit: limit - ids.length,
          ExclusiveStartKey: startKey,
        }),
      );
      ids.push(...(output.Items ?? []).map((item) => petitionIdFromPk(item.pk as string)));
      if (output.LastEvaluatedKey) {
        startKey = output.LastEvaluatedKey as StoredKey;
        if (ids.length >= limit) return { items: ids, cursor: encodeCursor({ s: shard, k: startKey }) };
        continue;
      }
      shard += 1;
      startKey = undefined;
      if (ids.length >= limit) return shard < shards ? { items: ids, cursor: encodeCursor({ s: shard }) } : { items: ids };
    }
    return { items: ids };
  }

  async listPetitionsBySubject(subject: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<Petition>> {
    const limit = clampLimit(page.limit);
    const { partitionKey, sortKey, indexName } = TABLE_KEYS.byCitizen;
    const citizenKey = itemKeys.citizen(subject);
    let startKey: StoredKey | undefined;
    if (page.cursor !== undefined) {
      const cursor = decodeCursor(page.cursor);
      startKey = validStoredKey(cursor.k, ['pk', 'sk', partitionKey, sortKey], { [partitionKey]: citizenKey });
    }
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :citizen AND begins_with(#sk, :petition)',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':citizen': citizenKey, ':petition': SORT_PREFIX.citizenPetition },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const items = (output.Items ?? []).map((item) => toPetition(item));
    return output.LastEvaluatedKey ? { items, cursor: encodeCursor({ k: output.LastEvaluatedKey }) } : { items };
  }

  private async getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const output = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return output.Item;
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const output = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private toStepRecord(item: Item): StepRecord {
    const { resultJson, ...rest } = withoutKeys<Item>(item);
    return { ...(rest as Omit<StepRecord, 'result'>), result: typeof resultJson === 'string' ? JSON.parse(resultJson) : undefined };
  }
}
