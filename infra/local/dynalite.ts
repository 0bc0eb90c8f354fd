import { mkdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
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

/**
 * The server itself lives in plain JavaScript (no TypeScript loader in a worker, under tsx or vitest):
 * it is the worker's entry, and its `serve` is imported directly for the in-thread mode.
 */
const serverModule = new URL('./dynalite-worker.mjs', import.meta.url);

interface ServerModule {
  serve(options: DynaliteOptions): Promise<{ port: number; close(): Promise<void> }>;
}

/** Messages the worker posts (see dynalite-worker.mjs). */
type WorkerReply =
  | { type: 'listening'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'closed'; message?: string };

/** dynalite gives up on pending store operations after 30 s; past that the worker is not coming back. */
const CLOSE_TIMEOUT_MS = 35_000;

export interface RunningDynalite {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** Stops the server and closes the LevelDB store (flushed to disk when `path` was given). Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1 and a free port: on disk under `path`, or in memory when omitted.
 *
 * By default it runs in a worker thread, so dynalite, LevelDB and their HTTP side use another core than
 * the caller; `inThread` keeps it on the caller's event loop. Rejects when the store cannot be opened,
 * e.g. when another dynalite (in this process or another) holds the LevelDB lock on `path`.
 */
export const startDynalite = async (options: { path?: string; inThread?: boolean } = {}): Promise<RunningDynalite> => {
  if (options.path !== undefined) await mkdir(options.path, { recursive: true });
  // Tables become ACTIVE almost at once: the default 500 ms CREATING phase only slows starts and tests.
  const dynaliteOptions: DynaliteOptions = { path: options.path, createTableMs: 20, deleteTableMs: 20, updateTableMs: 20 };
  if (!options.inThread) return startInWorker(dynaliteOptions);
  const { serve } = (await import(serverModule.href)) as ServerModule;
  const running = await serve(dynaliteOptions);
  return { endpoint: `http://127.0.0.1:${running.port}`, close: running.close };
};

const startInWorker = (options: DynaliteOptions): Promise<RunningDynalite> =>
  new Promise<RunningDynalite>((resolveStart, rejectStart) => {
    const label = `dynalite worker (${options.path ?? 'in memory'})`;
    // The worker is plain JavaScript: it needs none of the parent's flags (tsx's loader would only slow it down).
    const worker = new Worker(serverModule, { workerData: { dynaliteWorker: true, options }, execArgv: [] });
    let state: 'starting' | 'running' | 'exited' = 'starting';
    let failure: Error | undefined;
    let closing: Promise<void> | undefined;
    let closeReply: { message?: string } | undefined;
    let settleClose: ((error?: Error) => void) | undefined;

    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'listening') {
        state = 'running';
        resolveStart({ endpoint: `http://127.0.0.1:${reply.port}`, close });
      } else if (reply.type === 'failed') {
        failure = new Error(reply.message);
        void worker.terminate();
      } else if (reply.type === 'closed') {
        closeReply = reply;
        // The store is closed; the thread would end by itself, no need to wait for it to drain.
        void worker.terminate();
      }
    });
    worker.on('error', (error) => {
      failure ??= error;
      if (state === 'running') console.error(`${label} failed:`, error);
    });
    worker.on('exit', (code) => {
      const previous = state;
      state = 'exited';
      if (previous === 'starting') {
        rejectStart(failure ?? new Error(`${label} exited with code ${code} before listening`));
      } else if (closeReply) {
        settleClose?.(closeReply.message === undefined ? undefined : new Error(`${label} close failed: ${closeReply.message}`));
      } else {
        const cause = failure ? `: ${failure.message}` : '';
        console.error(`${label} exited unexpectedly with code ${code}${cause}; its endpoint is gone`);
        settleClose?.(new Error(`${label} exited with code ${code} before closing its store${cause}`));
      }
    });

    const close = (): Promise<void> => {
      closing ??=
        state === 'exited'
          ? // Died earlier: already reported on stderr, nothing left to close.
            Promise.resolve()
          : new Promise<void>((resolve, reject) => {
              const timer = setTimeout(() => {
                console.error(`${label} did not close within ${CLOSE_TIMEOUT_MS} ms; terminating it`);
                void worker.terminate();
              }, CLOSE_TIMEOUT_MS);
              settleClose = (error) => {
                clearTimeout(timer);
                if (error) reject(error);
                else resolve();
              };
              worker.postMessage({ type: 'close' });
            });
      return closing;
    };
  });

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
