/**
 * A real webhook receiver for tests: an http.createServer on 127.0.0.1 and port 0 whose behaviour can
 * change mid-test (answer 2xx, 500, hang, 410, 429 with Retry-After, or be down altogether) and that
 * checks every delivery with the independent `standardwebhooks` verifier, as an agency would.
 *
 * The verifier compares `webhook-timestamp` with the system clock (5 min tolerance), so tests that
 * move time use `WorldClock`: the clock the worker is given and the system time move together.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { vi } from 'vitest';
import type { Clock } from '../../shared/delivery/ports.ts';

export type ReceiverBehaviour =
  | { kind: 'ok'; status?: number }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'hang' };

export interface ReceivedWebhook {
  webhookId: string;
  timestamp: string;
  signature: string;
  headers: Record<string, string>;
  body: string;
  /** Whether `new Webhook(secret).verify(body, headers)` accepted it with the receiver's secret at the time. */
  verified: boolean;
  verifyError?: string;
  /** What the receiver answered (undefined when it hung). */
  answered?: number;
  receivedAt: Date;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Changes how later requests are answered. */
  respondWith(behaviour: ReceiverBehaviour): void;
  /** Changes the secret used to verify later requests (an agency updating its configuration). */
  useSecret(secret: string): void;
  /** Closes the server and drops every connection: deliveries meet a refused connection. */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  /** Distinct webhook ids in the order first seen. */
  webhookIds(): string[];
  close(): Promise<void>;
}

/** Re-checks a recorded delivery against another secret with the independent verifier (now, by the system clock). */
export const verifiesWith = (received: ReceivedWebhook, secret: string): boolean => {
  try {
    new Webhook(secret).verify(received.body, received.headers);
    return true;
  } catch {
    return false;
  }
};

const headersOf = (request: IncomingMessage): Record<string, string> =>
  Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));

/** Starts a receiver that verifies with `secret` (when given) and answers as `behaviour` says. */
export const startWebhookReceiver = async (options: { secret?: string; behaviour?: ReceiverBehaviour } = {}): Promise<WebhookReceiver> => {
  let behaviour: ReceiverBehaviour = options.behaviour ?? { kind: 'ok' };
  let secret = options.secret;
  const received: ReceivedWebhook[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = headersOf(request);
      let verified = false;
      let verifyError: string | undefined;
      if (secret !== undefined) {
        try {
          new Webhook(secret).verify(body, headers);
          verified = true;
        } catch (error) {
          verifyError = (error as Error).message;
        }
      }
      const record: ReceivedWebhook = {
        webhookId: headers['webhook-id'] ?? '',
        timestamp: headers['webhook-timestamp'] ?? '',
        signature: headers['webhook-signature'] ?? '',
        headers,
        body,
        verified,
        ...(verifyError === undefined ? {} : { verifyError }),
        receivedAt: new Date(),
      };
      received.push(record);
      if (behaviour.kind === 'hang') {
        hanging.add(response);
        return;
      }
      // A receiver refuses what it cannot verify, as a real one would.
      const status = secret !== undefined && !verified ? 401 : behaviour.kind === 'ok' ? (behaviour.status ?? 204) : behaviour.status;
      const extra = behaviour.kind === 'status' ? (behaviour.headers ?? {}) : {};
      record.answered = status;
      response.writeHead(status, extra).end();
    });
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  let up = true;

  const goDown = async () => {
    if (!up) return;
    up = false;
    for (const response of hanging) response.destroy();
    hanging.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    port,
    received,
    respondWith: (next) => {
      behaviour = next;
    },
    useSecret: (next) => {
      secret = next;
    },
    goDown,
    comeBack: async () => {
      if (up) return;
      await listen(port);
      up = true;
    },
    webhookIds: () => [...new Set(received.map((r) => r.webhookId))],
    close: goDown,
  };
};

/**
 * A test clock that also sets the system time (vitest fakes Date only; timers and sockets stay real),
 * so the worker's clock and the receiver's verifier agree while a test walks through days.
 */
export class WorldClock implements Clock {
  #time: number;

  constructor(start: Date) {
    this.#time = start.getTime();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(this.#time);
  }

  now(): Date {
    return new Date(this.#time);
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): Date {
    return this.set(new Date(this.#time + ms));
  }

  /** Moves time to `at` (never backwards). */
  set(at: Date): Date {
    if (at.getTime() < this.#time) throw new RangeError(`clock is at ${this.now().toISOString()}; expected to move forward, not to ${at.toISOString()}`);
    this.#time = at.getTime();
    vi.setSystemTime(this.#time);
    return this.now();
  }

  /** Gives the system clock back. */
  restore(): void {
    vi.useRealTimers();
  }
}
