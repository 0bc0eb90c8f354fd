/**
 * Where a running embedded platform serves its store. dynalite holds a lock on DATA_DIR/dynamodb,
 * so a second process (the `hanbeon` command) cannot open the files while the platform runs; the
 * platform therefore writes its store's loopback address next to them, and the command uses that
 * address when the files are locked. The address is loopback-only and the file is the owner's
 * alone (0600), like the data directory itself.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalDynamoClient, startDynalite } from './dynalite.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';

const ENDPOINT_FILE = 'dynamodb.endpoint';
const LOOPBACK_ENDPOINT = /^http:\/\/127\.0\.0\.1:\d{1,5}$/;

/** Publishes the running store's endpoint in DATA_DIR; returns the function that withdraws it. */
export const publishStoreEndpoint = async (dataDir: string, endpoint: string): Promise<() => Promise<void>> => {
  const file = join(dataDir, ENDPOINT_FILE);
  await writeFile(file, `${endpoint}\n`, { mode: 0o600 });
  return () => rm(file, { force: true });
};

/** The store of DATA_DIR for a command: its own dynalite on the files, or the running platform's when they are locked. */
export const openLocalStore = async (dataDir: string): Promise<{ client: DynamoDBClient; close(): Promise<void> }> => {
  const path = join(dataDir, 'dynamodb');
  try {
    const dynalite = await startDynalite({ path, inThread: true });
    const client = createLocalDynamoClient(dynalite.endpoint);
    return { client, close: async () => (client.destroy(), await dynalite.close()) };
  } catch (error) {
    const published = (await readFile(join(dataDir, ENDPOINT_FILE), 'utf8').catch(() => '')).trim();
    if (LOOPBACK_ENDPOINT.test(published)) {
      const client = createLocalDynamoClient(published);
      // A file left behind by a killed platform points nowhere: ask before trusting it.
      const reachable = await client.send(new ListTablesCommand({})).then(() => true, () => false);
      if (reachable) return { client, close: async () => client.destroy() };
      client.destroy();
    }
    throw new Error(`cannot open ${path} (${(error as Error).message}), and no running platform publishes its store in ${dataDir}; use --aws for a deployment`, { cause: error });
  }
};
