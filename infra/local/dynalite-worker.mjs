// Serves dynalite (DynamoDB's protocol over LevelDB) on 127.0.0.1 and a free port.
//
// Plain JavaScript on purpose: it runs as a worker_threads entry (the default, so dynalite, classic-level
// and their HTTP server use another core than the platform), and a worker gets no TypeScript loader under
// tsx nor vitest. infra/local/dynalite.ts drives it; it also imports `serve` directly for the in-thread mode.
//
// Worker protocol: workerData is { dynaliteWorker: true, options } (the marker keeps an in-thread import from
// inside some other worker from starting a server). The worker posts { type: 'listening', port } or
// { type: 'failed', message }; on { type: 'close' } from the parent it closes the server and the store,
// posts { type: 'closed' } or { type: 'closed', message } and lets its event loop drain, which ends the thread.
import { createRequire } from 'node:module';
import { setTimeout } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
// dynalite is CommonJS with no exports map. Its index calls `require('./db').create(options)` once per
// server and keeps the store private; wrapping `create` (same module instance) is the only way to reach
// the LevelDB handle, which we need to surface an open failure (e.g. the LOCK is held elsewhere).
const dynaliteDb = require('dynalite/db');
const dynalite = require('dynalite');

/** @param {{ path?: string, createTableMs?: number, deleteTableMs?: number, updateTableMs?: number }} options */
const createServer = (options) => {
  const create = dynaliteDb.create;
  let store;
  dynaliteDb.create = (storeOptions) => (store = create(storeOptions));
  try {
    return { server: dynalite(options), store };
  } finally {
    dynaliteDb.create = create;
  }
};

/**
 * Starts dynalite, listening on 127.0.0.1 and a free port. Rejects when the LevelDB store cannot be opened:
 * dynalite itself opens it lazily and would only fail (by throwing out of a request handler) on first use.
 * @param {{ path?: string, createTableMs?: number, deleteTableMs?: number, updateTableMs?: number }} options
 * @returns {Promise<{ port: number, close: () => Promise<void> }>}
 */
export const serve = async (options) => {
  const { server, store } = createServer(options);
  try {
    await store.db.open();
  } catch (error) {
    const where = options.path === undefined ? 'in memory' : `at ${options.path}`;
    const cause = error?.cause?.message ?? error?.message ?? String(error);
    throw new Error(`dynalite could not open its LevelDB store ${where}: ${cause}`, { cause: error });
  }
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await store.db.close().catch(() => undefined);
    throw error;
  }
  let closing;
  return {
    port: server.address().port,
    close: () => {
      // dynalite's server.close stops the HTTP server, then waits for pending operations and closes the store.
      closing ??= new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from SDK clients would otherwise hold the close open; give requests
        // already in flight a moment, then cut what is left.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      return closing;
    },
  };
};

if (parentPort && workerData?.dynaliteWorker === true) {
  const port = parentPort;
  const message = (error) => (error instanceof Error ? error.message : String(error));
  serve(workerData.options).then(
    (running) => {
      port.on('message', (request) => {
        if (request?.type !== 'close') return;
        running.close().then(
          () => port.postMessage({ type: 'closed' }),
          (error) => port.postMessage({ type: 'closed', message: message(error) }),
        ).finally(() => port.close());
      });
      port.postMessage({ type: 'listening', port: running.port });
    },
    (error) => {
      port.postMessage({ type: 'failed', message: message(error) });
      port.close();
    },
  );
}
