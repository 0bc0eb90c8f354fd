/**
 * Webhook delivery cost, loopback only (run: node --import tsx tests/bench/webhook-delivery.ts).
 *
 * measureWebhookDelivery: signed deliveries (standardwebhooks signature + HttpWebhookTransport with its
 * guarded lookup and deadline) against plain POSTs of the same bodies through the same keep-alive agent,
 * to the same minimal receiver. The targets: ≥ 1,000 signed deliveries/s and ≤ 1.5× the plain cost.
 *
 * measureWorkerDelivery: the whole durable path (outbox → fan-out → claim → sign → POST → record)
 * through DynamoDeliveryStore on dynalite, for the store's share of the cost.
 *
 * Options (environment): BENCH_WEBHOOKS (5000), BENCH_CONCURRENCY (32).
 */
import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createLocalDynamoClient, ensureTable, startDynalite } from '../../infra/local/dynalite.ts';
import { DeliveryWorker } from '../../shared/delivery/delivery-worker.ts';
import { EndpointRegistry } from '../../shared/delivery/endpoints.ts';
import { outboxEvent } from '../../shared/delivery/events.ts';
import { HttpWebhookTransport } from '../../shared/delivery/http-transport.ts';
import { LOCAL_URL_POLICY } from '../../shared/delivery/url-policy.ts';
import { generateSigningSecret, signWebhook } from '../../shared/delivery/webhook-signing.ts';
import { DynamoDeliveryStore } from '../../shared/store/dynamo-delivery-store.ts';
import { createDocumentClient } from '../../shared/store/dynamo-petition-store.ts';

const startReceiver = async (): Promise<{ server: Server; url: string }> => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks` };
};

const thinBody = (i: number) => {
  const petitionId = randomUUID();
  return JSON.stringify({
    type: 'petition.completed',
    timestamp: new Date().toISOString(),
    data: { petitionId, agency: 'mois', outcome: 'completed', resultUrl: `https://hanbeon.example/v1/results/${petitionId}`, resultSha256: `${i}`.padStart(64, '0') },
  });
};

/** Runs `count` operations with `concurrency` in flight; returns operations per second. */
const throughput = async (count: number, concurrency: number, operation: (i: number) => Promise<void>): Promise<number> => {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await operation(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Signed deliveries/s vs plain POSTs/s through the same keep-alive agent; ratio = signed cost ÷ plain cost (plain/s ÷ signed/s; > 1 means signing costs more). */
export async function measureWebhookDelivery(options: { count: number; concurrency: number }): Promise<{ signedPerSecond: number; plainPerSecond: number; ratio: number }> {
  const { server, url } = await startReceiver();
  const transport = new HttpWebhookTransport({ policy: LOCAL_URL_POLICY, maxSocketsPerHost: options.concurrency });
  const agent = transport.agentFor(new URL(url));
  const secret = generateSigningSecret();
  const bodies = Array.from({ length: options.count }, (_, i) => thinBody(i));

  const signed = async (i: number) => {
    const body = bodies[i]!;
    const headers = signWebhook(`msg_bench${i}`, new Date(), body, [secret]);
    const result = await transport.send({ url, headers, body, timeoutMs: 15_000 });
    if (result.kind !== 'response' || result.status !== 204) throw new Error(`signed delivery ${i} failed: ${JSON.stringify(result)}`);
  };
  const plain = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = bodies[i]!;
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        if (res.statusCode !== 204) reject(new Error(`plain POST ${i} answered ${res.statusCode}`));
        else res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });

  try {
    // Warm-up: sockets opened, code paths compiled.
    await throughput(Math.min(500, options.count), options.concurrency, plain);
    await throughput(Math.min(500, options.count), options.concurrency, signed);
    const plainRounds: number[] = [];
    const signedRounds: number[] = [];
    for (let round = 0; round < 3; round++) {
      plainRounds.push(await throughput(options.count, options.concurrency, plain));
      signedRounds.push(await throughput(options.count, options.concurrency, signed));
    }
    const plainPerSecond = median(plainRounds);
    const signedPerSecond = median(signedRounds);
    return { signedPerSecond, plainPerSecond, ratio: plainPerSecond / signedPerSecond };
  } finally {
    transport.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The durable path end to end on dynalite: `count` events fanned out to one endpoint and delivered. */
export async function measureWorkerDelivery(options: { count: number; concurrency: number }): Promise<{ deliveredPerSecond: number; enqueuedPerSecond: number }> {
  const dynalite = await startDynalite({});
  const client = createLocalDynamoClient(dynalite.endpoint);
  const { server, url } = await startReceiver();
  const transport = new HttpWebhookTransport({ policy: LOCAL_URL_POLICY, maxSocketsPerHost: options.concurrency });
  try {
    await ensureTable(client, 'bench-webhooks');
    const store = new DynamoDeliveryStore({ client: createDocumentClient(client), tableName: 'bench-webhooks' });
    await new EndpointRegistry({ store, policy: LOCAL_URL_POLICY }).register('mois', { url, eventTypes: ['petition.completed'] });
    const events = Array.from({ length: options.count }, () => {
      const petitionId = randomUUID();
      return outboxEvent(`petition:${petitionId}:completed`, { type: 'petition.completed', timestamp: new Date().toISOString(), data: { petitionId, agency: 'mois', outcome: 'completed' } });
    });
    const enqueuedPerSecond = await throughput(events.length, options.concurrency, async (i) => void (await store.enqueueEvent(events[i]!)));
    const worker = new DeliveryWorker({ store, transport, batchSize: 100, concurrency: options.concurrency });
    const started = performance.now();
    const summary = await worker.runDue();
    const seconds = (performance.now() - started) / 1000;
    if (summary.delivered !== options.count) throw new Error(`delivered ${summary.delivered} of ${options.count}`);
    return { deliveredPerSecond: options.count / seconds, enqueuedPerSecond };
  } finally {
    transport.close();
    await new Promise((resolve) => server.close(resolve));
    client.destroy();
    await dynalite.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.env.BENCH_WEBHOOKS ?? 5000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
  console.log(`webhook delivery benchmark: ${count} messages, ${concurrency} in flight, Node ${process.version}`);
  const transportPath = await measureWebhookDelivery({ count, concurrency });
  console.log(
    `signed ${transportPath.signedPerSecond.toFixed(0)}/s, plain ${transportPath.plainPerSecond.toFixed(0)}/s, signed costs ${transportPath.ratio.toFixed(2)}× plain`,
  );
  const storePath = await measureWorkerDelivery({ count: Math.min(count, 2000), concurrency });
  console.log(`durable path on dynalite: enqueue ${storePath.enqueuedPerSecond.toFixed(0)}/s, fan-out + deliver ${storePath.deliveredPerSecond.toFixed(0)}/s`);
}
