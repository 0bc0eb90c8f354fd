/**
 * AgencyKeyStore on the single table (dynalite locally). Key formats:
 *
 * | item       | pk                     | sk     | gsi1 (ALL)                                  |
 * |------------|------------------------|--------|---------------------------------------------|
 * | agency key | `AGENCYKEY#<sha256>`   | `META` | `AGENCY#<agency>#KEYS`, `<created>#<keyId>` |
 *
 * Authentication reads the item by its hash (one consistent GetItem, so a revocation counts at
 * once); listing and revoking by key id go through the agency's index partition.
 */
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AgencyKeyRecord, AgencyKeyStore } from '../identity/agency-api-keys.ts';
import { KEY_ATTRIBUTES, TABLE_KEYS } from './table.ts';
import { isConditionalCheckFailed, putIfAbsent } from './conditional-writes.ts';

/** Key formats of agency key items (see the table above). */
export const agencyKeyItemKeys = {
  key: (keyHash: string) => ({ pk: `AGENCYKEY#${keyHash}`, sk: 'META' }),
  agencyKeys: (agency: string) => `AGENCY#${agency}#KEYS`,
  keyByAgency: (agency: string, createdAt: string, keyId: string) => ({ gsi1pk: `AGENCY#${agency}#KEYS`, gsi1sk: `${createdAt}#${keyId}` }),
} as const;

const SHA256_HEX = /^[0-9a-f]{64}$/;

type Item = Record<string, unknown>;


const toRecord = (item: Item): AgencyKeyRecord => {
  const copy: Item = { ...item };
  for (const name of KEY_ATTRIBUTES) delete copy[name];
  return copy as unknown as AgencyKeyRecord;
};

/** A second key with the same hash: impossible by chance (256 random bits), so a bug or a replayed write. */
export class AgencyKeyExistsError extends Error {
  override readonly name = 'AgencyKeyExistsError';
}

export interface DynamoAgencyKeyStoreOptions {
  /** A document client that drops undefined values (see createDocumentClient). */
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** AgencyKeyStore on one DynamoDB table (dynalite locally). */
export class DynamoAgencyKeyStore implements AgencyKeyStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: DynamoAgencyKeyStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async put(record: AgencyKeyRecord): Promise<void> {
    if (!SHA256_HEX.test(record.keyHash)) throw new RangeError(`key hash is '${record.keyHash.slice(0, 80)}'; expected 64 lower-case hex digits (SHA-256)`);
    const item: Item = {
      ...Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)),
      ...agencyKeyItemKeys.key(record.keyHash),
      ...agencyKeyItemKeys.keyByAgency(record.agency, record.createdAt, record.keyId),
      itemType: 'agency-key',
    };
    // The hash is not in the message: it identifies the key as well as the key does for lookups.
    if (!(await putIfAbsent(this.#client, this.#table, item))) {
      throw new AgencyKeyExistsError(`agency key ${record.keyId} of ${record.agency}: a key with the same hash is already stored; expected a new key`);
    }
  }

  async findByHash(keyHash: string): Promise<AgencyKeyRecord | undefined> {
    if (!SHA256_HEX.test(keyHash)) return undefined;
    const output = await this.#client.send(new GetCommand({ TableName: this.#table, Key: agencyKeyItemKeys.key(keyHash), ConsistentRead: true }));
    return output.Item && toRecord(output.Item);
  }

  async list(agency: string): Promise<AgencyKeyRecord[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const output = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: TABLE_KEYS.byCitizen.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.byCitizen.partitionKey },
          ExpressionAttributeValues: { ':pk': agencyKeyItemKeys.agencyKeys(agency) },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return items.map(toRecord);
  }

  async revoke(agency: string, keyId: string, at: string): Promise<boolean> {
    // The index is eventually consistent in DynamoDB: a key revoked within a second of being issued may
    // not be listed yet, and the caller is told `false` and can try again.
    const record = (await this.list(agency)).find((r) => r.keyId === keyId);
    if (!record) return false;
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: agencyKeyItemKeys.key(record.keyHash),
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
          ConditionExpression: 'attribute_exists(pk) AND agency = :agency AND keyId = :keyId',
          ExpressionAttributeValues: { ':at': at, ':agency': agency, ':keyId': keyId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
