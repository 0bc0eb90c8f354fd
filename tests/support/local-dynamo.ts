/**
 * dynalite for one test file: `useLocalDynamo()` registers the vitest hooks that start it (beforeAll)
 * and stop it (afterAll), and answers the clients on it and fresh tables, so tests that want a world
 * of their own do not share items (due-delivery queries and scans see the whole table).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { createLocalDynamoClient, ensureTable, startDynalite, type RunningDynalite } from '../../infra/local/dynalite.ts';
import { createDocumentClient } from '../../shared/store/dynamo-petition-store.ts';

export interface LocalDynamo {
  /** The DynamoDB client on the file's dynalite (only inside tests and hooks registered after the call). */
  client(): DynamoDBClient;
  /** The document client over `client()`, as the stores take it. */
  documents(): DynamoDBDocumentClient;
  /** Creates a table no other call answers (`<prefix>-<n>`) and waits until it is ACTIVE. */
  table(prefix: string): Promise<string>;
}

/** Starts dynalite before the file's tests and stops it after them; call it at the top level of a test file. */
export const useLocalDynamo = (): LocalDynamo => {
  let dynalite: RunningDynalite | undefined;
  let client: DynamoDBClient | undefined;
  let documents: DynamoDBDocumentClient | undefined;
  let tables = 0;

  beforeAll(async () => {
    dynalite = await startDynalite({});
    client = createLocalDynamoClient(dynalite.endpoint);
    documents = createDocumentClient(client);
  });

  afterAll(async () => {
    client?.destroy();
    await dynalite?.close();
  });

  const started = <T>(value: T | undefined): T => {
    // Asked for at import time or before beforeAll ran: a mistake in the test file, said plainly.
    if (value === undefined) throw new Error('local dynalite is not running: use it inside tests or hooks registered after useLocalDynamo()');
    return value;
  };

  return {
    client: () => started(client),
    documents: () => started(documents),
    table: async (prefix) => {
      const tableName = `${prefix}-${++tables}`;
      await ensureTable(started(client), tableName);
      return tableName;
    },
  };
};
