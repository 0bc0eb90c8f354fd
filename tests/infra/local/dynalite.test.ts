import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLocalDynamoClient, ensureTable, startDynalite, type RunningDynalite } from '../../../infra/local/dynalite.ts';

const TABLE = 'dynalite-test';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tempDir = async (): Promise<string> => {
  const path = await mkdtemp(join(tmpdir(), 'hanbeon-dynalite-'));
  cleanups.push(() => rm(path, { recursive: true, force: true }));
  return path;
};

const start = async (options: { path?: string; inThread?: boolean } = {}): Promise<RunningDynalite> => {
  const running = await startDynalite(options);
  cleanups.push(() => running.close().catch(() => undefined));
  return running;
};

const documentsFor = async (endpoint: string): Promise<DynamoDBDocumentClient> => {
  const client = createLocalDynamoClient(endpoint);
  cleanups.push(async () => client.destroy());
  await ensureTable(client, TABLE);
  return DynamoDBDocumentClient.from(client);
};

const put = (documents: DynamoDBDocumentClient, id: string, value: string) =>
  documents.send(new PutCommand({ TableName: TABLE, Item: { pk: `ITEM#${id}`, sk: 'META', value } }));

const get = async (documents: DynamoDBDocumentClient, id: string): Promise<unknown> =>
  (await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: `ITEM#${id}`, sk: 'META' }, ConsistentRead: true }))).Item?.[
    'value'
  ];

describe('startDynalite', () => {
  it('serves Put and Get from a worker thread', async () => {
    const workers = vi.spyOn(Worker.prototype, 'postMessage');
    const dynalite = await start();
    expect(dynalite.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const documents = await documentsFor(dynalite.endpoint);
    await put(documents, 'a', 'alpha');
    expect(await get(documents, 'a')).toBe('alpha');

    await dynalite.close();
    // The close went to a worker: the only message the parent ever posts.
    expect(workers).toHaveBeenCalledWith({ type: 'close' });
  });

  it('still runs in the calling thread on request', async () => {
    const workers = vi.spyOn(Worker.prototype, 'postMessage');
    const dynalite = await start({ inThread: true });
    const documents = await documentsFor(dynalite.endpoint);
    await put(documents, 'a', 'alpha');
    expect(await get(documents, 'a')).toBe('alpha');
    await dynalite.close();
    expect(workers).not.toHaveBeenCalled();
  });

  it.each([false, true])('keeps data on disk across a close and a restart (inThread: %s)', async (inThread) => {
    const path = await tempDir();
    const first = await start({ path, inThread });
    await put(await documentsFor(first.endpoint), 'kept', 'still here');
    await first.close();

    const second = await start({ path, inThread });
    expect(await get(await documentsFor(second.endpoint), 'kept')).toBe('still here');
  });

  it.each([false, true])('rejects a second start on a path whose LevelDB lock is held (inThread: %s)', async (inThread) => {
    const path = await tempDir();
    const first = await start({ path, inThread });

    await expect(startDynalite({ path, inThread })).rejects.toThrow(
      /dynalite could not open its LevelDB store at .*: IO error: lock .*LOCK: already held by process/,
    );

    // The first one is unharmed, and the path is free again once it is closed.
    const documents = await documentsFor(first.endpoint);
    await put(documents, 'a', 'alpha');
    expect(await get(documents, 'a')).toBe('alpha');
    await first.close();
    await (await start({ path, inThread })).close();
  });

  it.each([false, true])('closes idempotently (inThread: %s)', async (inThread) => {
    const dynalite = await start({ path: await tempDir(), inThread });
    await documentsFor(dynalite.endpoint); // an SDK client with a keep-alive socket open
    const firstClose = dynalite.close();
    expect(dynalite.close()).toBe(firstClose);
    await firstClose;
    await dynalite.close();
    await expect(fetch(dynalite.endpoint, { method: 'POST' })).rejects.toThrow();
  });

  it('reports a worker that dies on stderr and does not hang its close', async () => {
    const started: Worker[] = [];
    const on = Worker.prototype.on;
    vi.spyOn(Worker.prototype, 'on').mockImplementation(function (this: Worker, ...args: Parameters<Worker['on']>) {
      if (!started.includes(this)) started.push(this);
      return on.apply(this, args);
    });
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const dynalite = await start();
    const [worker] = started;
    expect(worker).toBeDefined();

    await worker?.terminate();
    await vi.waitFor(() => expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/dynalite worker \(in memory\) exited unexpectedly/)));
    await expect(dynalite.close()).resolves.toBeUndefined();
    await expect(fetch(dynalite.endpoint, { method: 'POST' })).rejects.toThrow();
  });
});
