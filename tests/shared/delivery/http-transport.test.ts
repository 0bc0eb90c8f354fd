import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpWebhookTransport } from '../../../shared/delivery/http-transport.ts';
import { LOCAL_URL_POLICY, STRICT_URL_POLICY, type UrlPolicy } from '../../../shared/delivery/url-policy.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A plain server answering every request with `answer`; counts what reaches it. */
const startServer = async (answer: Parameters<typeof createServer>[1]) => {
  const hits: { path: string; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      hits.push({ path: request.url ?? '', body });
      answer!(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)), () => server.closeAllConnections());
  return { port: (server.address() as AddressInfo).port, hits };
};

const makeTransport = (policy: UrlPolicy = LOCAL_URL_POLICY, resolve?: ConstructorParameters<typeof HttpWebhookTransport>[0]['resolve']) => {
  const transport = new HttpWebhookTransport({ policy, resolve });
  cleanups.push(() => transport.close());
  return transport;
};

const post = (transport: HttpWebhookTransport, url: string, timeoutMs = 2000) =>
  transport.send({ url, headers: { 'webhook-id': 'msg_x' }, body: '{"a":1}', timeoutMs });

describe('HttpWebhookTransport', () => {
  it('posts the body and headers and reports the status and latency', async () => {
    const server = await startServer((_q, s) => s.writeHead(204).end());

    const result = await post(makeTransport(), `http://127.0.0.1:${server.port}/hooks`);

    expect(result).toMatchObject({ kind: 'response', status: 204 });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(server.hits).toEqual([{ path: '/hooks', body: '{"a":1}' }]);
  });

  it('does not follow a redirect', async () => {
    const target = await startServer((_q, s) => s.writeHead(200).end());
    const redirecting = await startServer((_q, s) => s.writeHead(307, { location: `http://127.0.0.1:${target.port}/elsewhere` }).end());

    const result = await post(makeTransport(), `http://127.0.0.1:${redirecting.port}/hooks`);

    expect(result).toMatchObject({ kind: 'response', status: 307 });
    expect(target.hits).toHaveLength(0);
  });

  it('hands back Retry-After', async () => {
    const server = await startServer((_q, s) => s.writeHead(429, { 'retry-after': '120' }).end());

    expect(await post(makeTransport(), `http://127.0.0.1:${server.port}/`)).toMatchObject({ kind: 'response', status: 429, retryAfter: '120' });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const server = await startServer(() => undefined);

    const result = await post(makeTransport(), `http://127.0.0.1:${server.port}/`, 200);

    expect(result).toMatchObject({ kind: 'failure', reason: 'timeout', message: 'no complete answer within 200 ms' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(190);
    expect(result.latencyMs).toBeLessThan(2000);
  });

  it('reports a refused connection as a failure, not a throw', async () => {
    const server = await startServer((_q, s) => s.end());
    const port = server.port;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();

    expect(await post(makeTransport(), `http://127.0.0.1:${port}/`)).toMatchObject({ kind: 'failure', reason: 'connection', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses at connect time a name that resolves to 127.0.0.1, and nothing reaches the server there', async () => {
    const server = await startServer((_q, s) => s.writeHead(200).end());
    // A name that passed registration and now resolves to loopback (DNS rebinding).
    const transport = makeTransport({ allowHttp: true, allowPrivateNetworks: false }, async () => [{ address: '127.0.0.1', family: 4 }]);

    const result = await post(transport, `http://rebound.agency.example:${server.port}/hooks`);

    expect(result).toMatchObject({ kind: 'failure', reason: 'address-refused', message: 'rebound.agency.example resolves to 127.0.0.1 (loopback); expected a public address' });
    expect(server.hits).toHaveLength(0);
  });

  it('connects by name through the guarded lookup when the address is allowed', async () => {
    const server = await startServer((_q, s) => s.writeHead(200).end());
    const transport = makeTransport(LOCAL_URL_POLICY, async () => [{ address: '127.0.0.1', family: 4 }]);

    expect(await post(transport, `http://receiver.test:${server.port}/`)).toMatchObject({ kind: 'response', status: 200 });
    expect(server.hits).toHaveLength(1);
  });

  it('refuses the real name localhost at connect time when private networks are not allowed', async () => {
    const server = await startServer((_q, s) => s.writeHead(200).end());

    const result = await post(makeTransport({ allowHttp: true, allowPrivateNetworks: false }), `http://localhost:${server.port}/`);

    expect(result).toMatchObject({ kind: 'failure', reason: 'address-refused' });
    expect(server.hits).toHaveLength(0);
  });

  it('refuses an IP literal outside the policy without connecting (node skips lookup for literals)', async () => {
    const server = await startServer((_q, s) => s.writeHead(200).end());

    const result = await post(makeTransport({ allowHttp: true, allowPrivateNetworks: false }), `http://127.0.0.1:${server.port}/`);

    expect(result).toMatchObject({ kind: 'failure', reason: 'address-refused' });
    expect(server.hits).toHaveLength(0);
  });

  it('refuses plain http under the strict policy', async () => {
    expect(await post(makeTransport(STRICT_URL_POLICY), 'http://agency.example/hooks')).toMatchObject({ kind: 'failure', reason: 'url-refused' });
  });
});
