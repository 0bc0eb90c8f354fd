/**
 * WebhookTransport over node:http/https with keep-alive agents whose `lookup` enforces the URL policy
 * on every new connection. No redirects are followed (node's client never does; a 3xx is an answer
 * like any other and the worker counts it as a failure), and one deadline covers connect, answer and body.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { AddressRefusedError } from './errors.ts';
import type { TransportResult, WebhookRequest, WebhookTransport } from './ports.ts';
import { checkAddress, guardedLookup, type Resolver, type UrlPolicy } from './url-policy.ts';

/** The delivery timeout of the issue: an endpoint that has not answered in 15 s has failed this attempt. */
export const DEFAULT_TIMEOUT_MS = 15_000;

export interface HttpWebhookTransportOptions {
  policy: UrlPolicy;
  /** @default node:dns lookup (all addresses) */
  resolve?: Resolver;
  /** Concurrent sockets per endpoint host. @default 16 */
  maxSocketsPerHost?: number;
  /** @default 'hanbeon-webhooks/1' */
  userAgent?: string;
}

class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

const failureOf = (error: unknown, latencyMs: number): TransportResult => {
  if (error instanceof DeadlineExceeded) return { kind: 'failure', reason: 'timeout', message: error.message, latencyMs };
  if (error instanceof AddressRefusedError) return { kind: 'failure', reason: 'address-refused', message: error.message, latencyMs };
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'failure', reason: 'connection', message: code && !message.includes(code) ? `${code}: ${message}` : message, latencyMs };
};

/** Posts webhooks over HTTP(S), refusing addresses outside the policy at connect time. */
export class HttpWebhookTransport implements WebhookTransport {
  readonly #policy: UrlPolicy;
  readonly #http: http.Agent;
  readonly #https: https.Agent;
  readonly #userAgent: string;

  constructor(options: HttpWebhookTransportOptions) {
    this.#policy = options.policy;
    const lookup = guardedLookup(options.policy, options.resolve);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSocketsPerHost ?? 16, lookup };
    this.#http = new http.Agent(agentOptions);
    this.#https = new https.Agent(agentOptions);
    this.#userAgent = options.userAgent ?? 'hanbeon-webhooks/1';
  }

  /** The keep-alive agent used for a URL's scheme (the benchmark posts through the same one). */
  agentFor(url: URL): http.Agent {
    return url.protocol === 'https:' ? this.#https : this.#http;
  }

  /** Sends one POST; never throws for network trouble, returns a failure instead. */
  async send(request: WebhookRequest): Promise<TransportResult> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    const url = new URL(request.url);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.#policy.allowHttp)) {
      return { kind: 'failure', reason: 'url-refused', message: `scheme ${url.protocol} is not allowed by the URL policy`, latencyMs: 0 };
    }
    // Node calls `lookup` only for names: an IP literal must be checked here.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host)) {
      try {
        checkAddress(host, this.#policy);
      } catch (error) {
        return failureOf(error, 0);
      }
    }
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<TransportResult>((resolve) => {
      let settled = false;
      const finish = (result: TransportResult) => {
        if (!settled) {
          settled = true;
          resolve(result);
        }
      };
      const req = client.request(url, {
        method: 'POST',
        agent: this.agentFor(url),
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(request.body),
          'user-agent': this.#userAgent,
        },
      });
      const timer = setTimeout(() => req.destroy(new DeadlineExceeded(`no complete answer within ${request.timeoutMs} ms`)), request.timeoutMs);
      req.on('response', (res) => {
        // The status decides; the body is read and dropped (within the same deadline) so the socket can be reused.
        const retryAfter = res.headers['retry-after'];
        finish({ kind: 'response', status: res.statusCode ?? 0, latencyMs: elapsed(), ...(retryAfter === undefined ? {} : { retryAfter }) });
        res.on('end', () => clearTimeout(timer));
        res.on('error', () => clearTimeout(timer));
        res.resume();
      });
      req.on('error', (error) => {
        clearTimeout(timer);
        finish(failureOf(error, elapsed()));
      });
      req.on('close', () => {
        clearTimeout(timer);
        finish({ kind: 'failure', reason: 'connection', message: 'connection closed before an answer', latencyMs: elapsed() });
      });
      req.end(request.body);
    });
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}
