/**
 * DeliveryStore on the single table (dynalite locally). Single-item conditional writes only: dynalite
 * has no transactions. Key formats of webhook items live here, beside the petition ones in table.ts:
 *
 * | item              | pk                     | sk                                    | gsi1 (ALL)                                   | gsi2 (KEYS_ONLY, sparse)          |
 * |-------------------|------------------------|---------------------------------------|----------------------------------------------|-----------------------------------|
 * | endpoint          | `ENDPOINT#<id>`        | `META`                                | `AGENCY#<agency>#ENDPOINTS`, `<created>#<id>`   | —                                 |
 * | outbox event      | `OUTBOX#<eventId>`     | `META`                                | —                                            | `OUTBOX#PENDING`, `<occurred>#<id>` while pending |
 * | delivery          | `DELIVERY#<webhookId>` | `META`                                | `AGENCY#<agency>#DELIVERIES`, `<created>#<id>`  | `DUE#<shard>`, `<dueAt>#<id>` while pending |
 * | delivery attempt  | `DELIVERY#<webhookId>` | `ATTEMPT#<series>#<attempt>#<lease>`  | —                                            | —                                 |
 *
 * A pending delivery's `dueAt` is its next attempt, or the end of its lease while an attempt is in
 * flight: claiming moves it forward, so other workers do not see it as due, and a worker that dies
 * mid-attempt leaves it due again when the lease ends.
 */
import { randomBytes } from 'node:crypto';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { DeliveryConflictError } from '../delivery/errors.ts';
import type { OutboxEvent } from '../delivery/events.ts';
import type { ClaimedDelivery, Delivery, DeliveryAttempt, DeliverySettlement, Endpoint, EndpointSecret } from '../delivery/model.ts';
import type { DeliveryStore, Page } from '../delivery/ports.ts';
import { decodeCursor, encodeCursor, pageLimit, validStoredKey } from './page-cursor.ts';
import { KEY_ATTRIBUTES, TABLE_KEYS } from './table.ts';
import { isConditionalCheckFailed, putIfAbsent } from './conditional-writes.ts';

/** Due deliveries spread over this many index partitions, so a busy hour does not pile onto one. */
const DUE_SHARDS = 4;

const shardOf = (webhookId: string): number => {
  let hash = 0;
  for (let i = 0; i < webhookId.length; i++) hash = (Math.imul(hash, 31) + webhookId.charCodeAt(i)) | 0;
  return Math.abs(hash) % DUE_SHARDS;
};

const pad = (n: number) => String(n).padStart(4, '0');

/** Key formats of the webhook items (see the table above). */
export const deliveryItemKeys = {
  endpoint: (id: string) => ({ pk: `ENDPOINT#${id}`, sk: 'META' }),
  agencyEndpoints: (agency: string) => `AGENCY#${agency}#ENDPOINTS`,
  endpointByAgency: (agency: string, createdAt: string, id: string) => ({ gsi1pk: `AGENCY#${agency}#ENDPOINTS`, gsi1sk: `${createdAt}#${id}` }),
  event: (id: string) => ({ pk: `OUTBOX#${id}`, sk: 'META' }),
  pendingEvents: 'OUTBOX#PENDING',
  pendingEvent: (occurredAt: string, id: string) => ({ gsi2pk: 'OUTBOX#PENDING', gsi2sk: `${occurredAt}#${id}` }),
  delivery: (webhookId: string) => ({ pk: `DELIVERY#${webhookId}`, sk: 'META' }),
  agencyDeliveries: (agency: string) => `AGENCY#${agency}#DELIVERIES`,
  deliveryByAgency: (agency: string, createdAt: string, webhookId: string) => ({ gsi1pk: `AGENCY#${agency}#DELIVERIES`, gsi1sk: `${createdAt}#${webhookId}` }),
  dueShard: (shard: number) => `DUE#${shard}`,
  due: (webhookId: string, dueAt: string) => ({ gsi2pk: `DUE#${shardOf(webhookId)}`, gsi2sk: `${dueAt}#${webhookId}` }),
  attempt: (webhookId: string, series: number, attempt: number, lease: string) => ({
    pk: `DELIVERY#${webhookId}`,
    sk: `ATTEMPT#${pad(series)}#${pad(attempt)}#${lease}`,
  }),
  attemptPrefix: 'ATTEMPT#',
} as const;

/** Bookkeeping attributes of a delivery item that the domain does not see. */
const DELIVERY_BOOKKEEPING = ['dueAt', 'leaseToken', 'leaseUntil'] as const;

const DEFAULT_PAGE_SIZE = 50;

type Item = Record<string, unknown>;


const strip = <T>(item: Item, extra: readonly string[] = []): T => {
  const copy: Item = { ...item };
  for (const name of [...KEY_ATTRIBUTES, ...extra]) delete copy[name];
  return copy as T;
};

const toEndpoint = (item: Item): Endpoint => strip<Endpoint>(item);
const toDelivery = (item: Item): Delivery => strip<Delivery>(item, DELIVERY_BOOKKEEPING);
const toAttempt = (item: Item): DeliveryAttempt => strip<DeliveryAttempt>(item);
const toEvent = (item: Item): OutboxEvent => {
  const { id, agency, occurredAt, payloadJson } = item as { id: string; agency: string; occurredAt: string; payloadJson: string };
  return { id, agency, occurredAt, payload: JSON.parse(payloadJson) as OutboxEvent['payload'] };
};

/** Normalises a timestamp to the toISOString form every stored key uses, so string order is time order. */
const isoOf = (value: string): string => {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError(`'${value}' is not a timestamp; expected ISO 8601`);
  return new Date(time).toISOString();
};

const clampLimit = (limit: number | undefined): number => pageLimit(limit, DEFAULT_PAGE_SIZE);

/** A cursor is the index's LastEvaluatedKey; only one of this listing (same gsi1pk, four string attributes) is accepted. */
const cursorKey = (cursor: string, gsi1pk: string): Item =>
  validStoredKey(decodeCursor(cursor), ['pk', 'sk', TABLE_KEYS.byCitizen.partitionKey, TABLE_KEYS.byCitizen.sortKey], { [TABLE_KEYS.byCitizen.partitionKey]: gsi1pk });

export interface DynamoDeliveryStoreOptions {
  /** A document client that drops undefined values (see createDocumentClient). */
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** DeliveryStore on one DynamoDB table (dynalite locally). */
export class DynamoDeliveryStore implements DeliveryStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: DynamoDeliveryStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async createEndpoint(endpoint: Endpoint): Promise<void> {
    const item: Item = {
      ...endpoint,
      ...deliveryItemKeys.endpoint(endpoint.id),
      ...deliveryItemKeys.endpointByAgency(endpoint.agency, endpoint.createdAt, endpoint.id),
      itemType: 'webhook-endpoint',
    };
    if (!(await putIfAbsent(this.#client, this.#table, item))) throw new DeliveryConflictError(`webhook endpoint ${endpoint.id} already exists; expected a new id`);
  }

  async getEndpoint(id: string): Promise<Endpoint | undefined> {
    const item = await this.#get(deliveryItemKeys.endpoint(id));
    return item && toEndpoint(item);
  }

  async listEndpoints(agency: string): Promise<Endpoint[]> {
    const items = await this.#queryAll({
      IndexName: TABLE_KEYS.byCitizen.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.byCitizen.partitionKey },
      ExpressionAttributeValues: { ':pk': deliveryItemKeys.agencyEndpoints(agency) },
    });
    return items.map(toEndpoint);
  }

  async replaceSecrets(id: string, secrets: EndpointSecret[], expectedVersion: number, at: string): Promise<Endpoint> {
    try {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: deliveryItemKeys.endpoint(id),
          UpdateExpression: 'SET secrets = :secrets, version = :next, updatedAt = :at',
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':secrets': secrets, ':next': expectedVersion + 1, ':expected': expectedVersion, ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toEndpoint(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new DeliveryConflictError(`webhook endpoint ${id} is no longer at version ${expectedVersion} (changed or deleted)`, { cause: error });
      throw error;
    }
  }

  async disableEndpoint(id: string, reason: string, at: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: deliveryItemKeys.endpoint(id),
          UpdateExpression: 'SET #status = :disabled, disabledAt = :at, disabledReason = :reason, updatedAt = :at, version = version + :one',
          ConditionExpression: 'attribute_exists(pk) AND #status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':disabled': 'disabled', ':active': 'active', ':at': at, ':reason': reason, ':one': 1 },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error; // already disabled, or deleted: nothing to do
    }
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    const output = await this.#client.send(new DeleteCommand({ TableName: this.#table, Key: deliveryItemKeys.endpoint(id), ReturnValues: 'ALL_OLD' }));
    return output.Attributes !== undefined;
  }

  async enqueueEvent(event: OutboxEvent): Promise<boolean> {
    const occurredAt = isoOf(event.occurredAt);
    const item: Item = {
      id: event.id,
      agency: event.agency,
      occurredAt,
      // JSON text, not a map: a map comes back with its keys reordered, and the body must be byte-stable.
      payloadJson: JSON.stringify(event.payload),
      status: 'pending',
      ...deliveryItemKeys.event(event.id),
      ...deliveryItemKeys.pendingEvent(occurredAt, event.id),
      itemType: 'webhook-event',
    };
    return putIfAbsent(this.#client, this.#table, item);
  }

  async listPendingEvents(limit: number): Promise<OutboxEvent[]> {
    const output = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: TABLE_KEYS.active.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.active.partitionKey },
        ExpressionAttributeValues: { ':pk': deliveryItemKeys.pendingEvents },
        Limit: clampLimit(limit),
      }),
    );
    // The index holds keys only: read the events themselves (and drop any the index still lists after dispatch).
    const items = await this.#batchGet((output.Items ?? []).map((k) => ({ pk: k.pk as string, sk: k.sk as string })));
    return items
      .filter((item) => item.status === 'pending')
      .map(toEvent)
      .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id));
  }

  async markEventDispatched(eventId: string, at: string): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: deliveryItemKeys.event(eventId),
        UpdateExpression: `SET #status = :dispatched, dispatchedAt = :at REMOVE ${TABLE_KEYS.active.partitionKey}, ${TABLE_KEYS.active.sortKey}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':dispatched': 'dispatched', ':at': at },
      }),
    );
  }

  async createDelivery(delivery: Delivery): Promise<boolean> {
    const dueAt = delivery.status === 'pending' ? isoOf(delivery.nextAttemptAt ?? delivery.createdAt) : undefined;
    const item: Item = {
      ...delivery,
      ...deliveryItemKeys.delivery(delivery.webhookId),
      ...deliveryItemKeys.deliveryByAgency(delivery.agency, isoOf(delivery.createdAt), delivery.webhookId),
      ...(dueAt ? { dueAt, ...deliveryItemKeys.due(delivery.webhookId, dueAt) } : {}),
      itemType: 'webhook-delivery',
    };
    return putIfAbsent(this.#client, this.#table, item);
  }

  async getDelivery(webhookId: string): Promise<Delivery | undefined> {
    const item = await this.#get(deliveryItemKeys.delivery(webhookId));
    return item && toDelivery(item);
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const nowIso = now.toISOString();
    // Keys are `<dueAt>#<id>` with fixed-width timestamps: everything below `<now>$` is due ('#' < '$').
    const upper = `${nowIso}$`;
    const shards = await Promise.all(
      Array.from({ length: DUE_SHARDS }, (_, shard) =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: TABLE_KEYS.active.indexName,
            KeyConditionExpression: '#pk = :pk AND #sk < :upper',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.active.partitionKey, '#sk': TABLE_KEYS.active.sortKey },
            ExpressionAttributeValues: { ':pk': deliveryItemKeys.dueShard(shard), ':upper': upper },
            Limit: limit,
          }),
        ),
      ),
    );
    const candidates = shards
      .flatMap((output) => output.Items ?? [])
      .sort((a, b) => String(a.gsi2sk).localeCompare(String(b.gsi2sk)))
      .slice(0, limit)
      .map((key) => String(key.pk).slice('DELIVERY#'.length));

    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    const claimed = await Promise.all(candidates.map((webhookId) => this.#claim(webhookId, nowIso, leaseUntil)));
    return claimed.filter((claim): claim is ClaimedDelivery => claim !== undefined);
  }

  /** One conditional write decides which worker gets the attempt; the losers see the condition fail. */
  async #claim(webhookId: string, nowIso: string, leaseUntil: string): Promise<ClaimedDelivery | undefined> {
    const leaseToken = randomBytes(8).toString('hex');
    const due = deliveryItemKeys.due(webhookId, leaseUntil);
    try {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: deliveryItemKeys.delivery(webhookId),
          UpdateExpression: 'SET leaseToken = :token, leaseUntil = :until, dueAt = :until, #gsi2sk = :dueKey, version = version + :one',
          ConditionExpression: '#status = :pending AND dueAt <= :now',
          ExpressionAttributeNames: { '#status': 'status', '#gsi2sk': TABLE_KEYS.active.sortKey },
          ExpressionAttributeValues: { ':token': leaseToken, ':until': leaseUntil, ':dueKey': due.gsi2sk, ':one': 1, ':pending': 'pending', ':now': nowIso },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { delivery: toDelivery(output.Attributes ?? {}), leaseToken, leaseUntil };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined; // another worker claimed it, or it is no longer due
      throw error;
    }
  }

  async settle(claim: ClaimedDelivery, settlement: DeliverySettlement, attempt: DeliveryAttempt | undefined, at: string): Promise<Delivery> {
    const { webhookId } = claim.delivery;
    if (attempt) {
      // The attempt happened whatever becomes of the lease: it is logged first, under the lease's own key.
      const key = deliveryItemKeys.attempt(webhookId, attempt.series, attempt.attempt, claim.leaseToken);
      await this.#client.send(new PutCommand({ TableName: this.#table, Item: { ...attempt, ...key, itemType: 'webhook-attempt' } }));
    }
    const names: Record<string, string> = { '#status': 'status' };
    const values: Item = { ':token': claim.leaseToken, ':status': settlement.status, ':at': at, ':one': 1 };
    const sets = ['#status = :status', 'updatedAt = :at', 'version = version + :one'];
    const removes = ['leaseToken', 'leaseUntil'];
    if (attempt) {
      values[':attempts'] = claim.delivery.attempts + 1;
      values[':lastAttemptAt'] = attempt.at;
      sets.push('attempts = :attempts', 'lastAttemptAt = :lastAttemptAt');
      if (attempt.statusCode !== undefined) {
        values[':code'] = attempt.statusCode;
        sets.push('lastStatusCode = :code');
        removes.push('lastError');
      } else {
        values[':error'] = attempt.error ?? 'unknown';
        sets.push('lastError = :error');
        removes.push('lastStatusCode');
      }
    }
    if (settlement.status === 'pending') {
      const next = isoOf(settlement.nextAttemptAt);
      values[':next'] = next;
      values[':dueKey'] = deliveryItemKeys.due(webhookId, next).gsi2sk;
      names['#gsi2sk'] = TABLE_KEYS.active.sortKey;
      sets.push('nextAttemptAt = :next', 'dueAt = :next', '#gsi2sk = :dueKey');
    } else {
      // Leaving the due index is what ends the series.
      removes.push('nextAttemptAt', 'dueAt', TABLE_KEYS.active.partitionKey, TABLE_KEYS.active.sortKey);
      if (settlement.status === 'delivered') sets.push('deliveredAt = :at');
      if (settlement.status === 'dead') sets.push('deadAt = :at');
      if (settlement.status === 'cancelled') {
        values[':reason'] = settlement.reason;
        sets.push('cancelledReason = :reason');
      }
    }
    try {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: deliveryItemKeys.delivery(webhookId),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: 'leaseToken = :token',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toDelivery(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new DeliveryConflictError(`delivery ${webhookId}: lease ${claim.leaseToken} (until ${claim.leaseUntil}) is no longer held; the outcome '${settlement.status}' was not recorded`, { cause: error });
      }
      throw error;
    }
  }

  async restartDelivery(webhookId: string, expectedVersion: number, at: string): Promise<Delivery> {
    const due = isoOf(at);
    const keys = deliveryItemKeys.due(webhookId, due);
    try {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: deliveryItemKeys.delivery(webhookId),
          UpdateExpression:
            'SET #status = :pending, series = series + :one, attempts = :zero, nextAttemptAt = :due, dueAt = :due, #gsi2pk = :shard, #gsi2sk = :dueKey, updatedAt = :due, version = version + :one REMOVE deliveredAt, deadAt, cancelledReason',
          ConditionExpression: 'version = :expected AND #status <> :pending',
          ExpressionAttributeNames: { '#status': 'status', '#gsi2pk': TABLE_KEYS.active.partitionKey, '#gsi2sk': TABLE_KEYS.active.sortKey },
          ExpressionAttributeValues: { ':pending': 'pending', ':one': 1, ':zero': 0, ':due': due, ':shard': keys.gsi2pk, ':dueKey': keys.gsi2sk, ':expected': expectedVersion },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toDelivery(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new DeliveryConflictError(`delivery ${webhookId} is no longer at version ${expectedVersion}, or is already pending`, { cause: error });
      throw error;
    }
  }

  async nextDueAt(): Promise<Date | undefined> {
    const firstOf = async (partition: string) => {
      const output = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: TABLE_KEYS.active.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.active.partitionKey },
          ExpressionAttributeValues: { ':pk': partition },
          Limit: 1,
        }),
      );
      const sortKey = output.Items?.[0]?.[TABLE_KEYS.active.sortKey];
      // Both kinds of key start with a fixed-width ISO timestamp.
      return typeof sortKey === 'string' ? sortKey.slice(0, 24) : undefined;
    };
    const partitions = [deliveryItemKeys.pendingEvents, ...Array.from({ length: DUE_SHARDS }, (_, s) => deliveryItemKeys.dueShard(s))];
    const firsts = (await Promise.all(partitions.map(firstOf))).filter((t): t is string => t !== undefined).sort();
    return firsts[0] === undefined ? undefined : new Date(firsts[0]);
  }

  async listDeliveries(agency: string, range: { from: string; to: string }, page: { limit?: number; cursor?: string } = {}): Promise<Page<Delivery>> {
    const partition = deliveryItemKeys.agencyDeliveries(agency);
    const output = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: TABLE_KEYS.byCitizen.indexName,
        // `<created>#<id>` BETWEEN from AND to: a delivery created exactly at `to` sorts after `to`, so the range is [from, to).
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.byCitizen.partitionKey, '#sk': TABLE_KEYS.byCitizen.sortKey },
        ExpressionAttributeValues: { ':pk': partition, ':from': isoOf(range.from), ':to': isoOf(range.to) },
        Limit: clampLimit(page.limit),
        ExclusiveStartKey: page.cursor === undefined ? undefined : cursorKey(page.cursor, partition),
      }),
    );
    const items = (output.Items ?? []).map(toDelivery);
    return output.LastEvaluatedKey ? { items, cursor: encodeCursor(output.LastEvaluatedKey) } : { items };
  }

  async listAttempts(webhookId: string): Promise<DeliveryAttempt[]> {
    const items = await this.#queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': deliveryItemKeys.delivery(webhookId).pk, ':prefix': deliveryItemKeys.attemptPrefix },
      ConsistentRead: true,
    });
    return items.map(toAttempt);
  }

  async #get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    return (await this.#client.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }))).Item;
  }

  async #batchGet(keys: { pk: string; sk: string }[]): Promise<Item[]> {
    const found: Item[] = [];
    let pending: Item[] = keys;
    for (let round = 0; pending.length > 0; round++) {
      if (round > 8) throw new Error(`DynamoDB left ${pending.length} keys unprocessed after ${round} rounds`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(100, 5 * 2 ** round) * Math.random()));
      const output = await this.#client.send(new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(output.Responses?.[this.#table] ?? []));
      pending = output.UnprocessedKeys?.[this.#table]?.Keys ?? [];
    }
    return found;
  }

  async #queryAll(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const output = await this.#client.send(new QueryCommand({ ...input, TableName: this.#table, ExclusiveStartKey: startKey }));
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}
