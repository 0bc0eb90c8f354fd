import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single table's key schema. The CDK stack mirrors these names; nothing else should spell them.
 * All keys are strings and never carry personal data (ids, subjects and timestamps only).
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** A citizen's petitions (newest first) and data-access log. */
  byCitizen: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /**
   * Petitions not yet in a terminal status. Sparse (terminal petitions drop the attributes) and
   * sharded so that a busy day does not pile every active petition onto one index partition.
   */
  active: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', shards: 4 },
} as const;

const SHARD_SPREAD = TABLE_KEYS.active.shards;

/** Stable shard of a petition id: a small string hash, so the same petition always lands on the same shard. */
export const activeShardOf = (petitionId: string): number => {
  let hash = 0;
  for (let i = 0; i < petitionId.length; i++) hash = (Math.imul(hash, 31) + petitionId.charCodeAt(i)) | 0;
  return Math.abs(hash) % SHARD_SPREAD;
};

/** Key formats of every item kind. Kept here so the layout can be read in one place. */
export const itemKeys = {
  petition: (id: string) => ({ pk: `PETITION#${id}`, sk: 'META' }),
  petitionByCitizen: (subject: string, createdAt: string, id: string) => ({
    gsi1pk: `CITIZEN#${subject}`,
    gsi1sk: `PETITION#${createdAt}#${id}`,
  }),
  activePetition: (id: string, createdAt: string) => ({
    gsi2pk: `ACTIVE#${activeShardOf(id)}`,
    gsi2sk: `${createdAt}#${id}`,
  }),
  activeShard: (shard: number) => `ACTIVE#${shard}`,
  citizen: (subject: string) => `CITIZEN#${subject}`,
  idempotency: (subject: string, keyDigest: string) => ({ pk: `IDEMPOTENCY#${subject}#${keyDigest}`, sk: 'META' }),
  step: (petitionId: string, stepKey: string) => ({ pk: `PETITION#${petitionId}`, sk: `STEP#${stepKey}` }),
  timelineEvent: (petitionId: string, at: string, nonce: string) => ({ pk: `PETITION#${petitionId}`, sk: `EVENT#${at}#${nonce}` }),
  evidence: (petitionId: string, evidenceId: string) => ({ pk: `PETITION#${petitionId}`, sk: `EVIDENCE#${evidenceId}` }),
  artifact: (petitionId: string, kind: string) => ({ pk: `PETITION#${petitionId}`, sk: `ARTIFACT#${kind}` }),
  evidenceAccess: (subject: string, retrievedAt: string, petitionId: string, evidenceId: string) => ({
    gsi1pk: `CITIZEN#${subject}`,
    gsi1sk: `ACCESS#${retrievedAt}#${petitionId}#${evidenceId}`,
  }),
  // The audit trail (docs/adr/0008): events in their petition's own partition (AUDIT#PLATFORM when
  // they have none), pending ones on gsi2 under one key of their own, the chain by seq in buckets,
  // one block per claim under the block's first seq.
  auditPetition: (petitionId: string) => `AUDIT#PETITION#${petitionId}`,
  auditEvent: (petitionId: string | undefined, eventId: string) => ({ pk: petitionId === undefined ? 'AUDIT#PLATFORM' : `AUDIT#PETITION#${petitionId}`, sk: `EVENT#${eventId}` }),
  auditPending: (at: string, eventId: string) => ({ gsi2pk: AUDIT_PENDING, gsi2sk: `${at}#${eventId}` }),
  auditByCitizen: (subject: string, at: string, eventId: string) => ({ gsi1pk: `CITIZEN#${subject}`, gsi1sk: `AUDIT#${at}#${eventId}` }),
  auditHead: () => ({ pk: 'AUDIT#HEAD', sk: 'GLOBAL' }),
  auditChainBlock: (firstSeq: number) => ({ pk: auditChainBucket(Math.floor(firstSeq / AUDIT_CHAIN_BUCKET)), sk: `SEQ#${String(firstSeq).padStart(12, '0')}` }),
  auditCheckpoint: (seq: number) => ({ pk: 'AUDIT#CHECKPOINT', sk: `SEQ#${String(seq).padStart(12, '0')}` }),
} as const;

/** The gsi2 partition of audit events not yet chained (the active-petition shards are `ACTIVE#n`). */
export const AUDIT_PENDING = 'AUDIT#PENDING';
/** Seqs per chain partition (a block sits in the bucket of its first seq): an export reads one bucket after the other. */
export const AUDIT_CHAIN_BUCKET = 10_000;
export const auditChainBucket = (bucket: number) => `AUDIT#CHAIN#${String(bucket).padStart(8, '0')}`;

/** Sort-key prefixes inside a petition's partition and the citizen index. */
export const SORT_PREFIX = {
  step: 'STEP#',
  event: 'EVENT#',
  evidence: 'EVIDENCE#',
  citizenPetition: 'PETITION#',
  citizenAccess: 'ACCESS#',
  citizenAudit: 'AUDIT#',
  auditEvent: 'EVENT#',
} as const;

/** Attributes that exist only for the table's keys and indexes; stripped before handing items to the domain. */
export const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'itemType'] as const;

/** CreateTable input for tests and local mode (on-demand billing; the CDK stack declares the same shape). */
export const createTableInput = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
    { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
    { AttributeName: TABLE_KEYS.byCitizen.partitionKey, AttributeType: 'S' },
    { AttributeName: TABLE_KEYS.byCitizen.sortKey, AttributeType: 'S' },
    { AttributeName: TABLE_KEYS.active.partitionKey, AttributeType: 'S' },
    { AttributeName: TABLE_KEYS.active.sortKey, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
    { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: TABLE_KEYS.byCitizen.indexName,
      KeySchema: [
        { AttributeName: TABLE_KEYS.byCitizen.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.byCitizen.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      // Keys only: the replay loop needs petition ids (parsed from pk), nothing more.
      IndexName: TABLE_KEYS.active.indexName,
      KeySchema: [
        { AttributeName: TABLE_KEYS.active.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.active.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
});
