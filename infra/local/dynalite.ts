import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../shared/store/table.ts';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite ships no type declarations; this is the one entry point we use.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

export interface RunningDynalite {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** Stops the server and closes the LevelDB store (flushed to disk when `path` was given). */
  close(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 and a free port: on disk under `path`, or in memory when omitted. */
export const startDynalite = async (options: { path?: string } = {}): Promise<RunningDynalite> => {
  if (options.path !== undefined) await mkdir(options.path, { recursive: true });
  // Tables become ACTIVE almost at once: the default 500 ms CREATING phase only slows starts and tests.
  const server = dynalite({ path: options.path, createTableMs: 20, deleteTableMs: 20, updateTableMs: 20 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from SDK clients would otherwise hold the close open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
};

/** A DynamoDB client for a local endpoint (dynalite ignores credentials, the SDK still wants some). */
export const createLocalDynamoClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });

const isActive = (table: TableDescription | undefined): boolean =>
  table?.TableStatus === 'ACTIVE' && (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');

const describe = async (client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> => {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
};

/** Creates the single table if it is missing and waits until it and its indexes are ACTIVE. Safe to call on every start. */
export const ensureTable = async (
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs?: number } = {},
): Promise<void> => {
  if (!(await describe(client, tableName))) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (error) {
      // Another process created it between our describe and create: fine, wait for it like ours.
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
  }
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (isActive(await describe(client, tableName))) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE within ${options.timeoutMs ?? 30_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
