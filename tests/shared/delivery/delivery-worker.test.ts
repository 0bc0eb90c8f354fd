import { createHash, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryLog } from '../../../shared/delivery/delivery-log.ts';
import { DeliveryWorker, deadLetterEventId, type DeliveryWorkerOptions } from '../../../shared/delivery/delivery-worker.ts';
import { EndpointRegistry } from '../../../shared/delivery/endpoints.ts';
import { outboxEvent, webhookPayloadSchema, type EventType, type OutboxEvent } from '../../../shared/delivery/events.ts';
import { HttpWebhookTransport } from '../../../shared/delivery/http-transport.ts';
import type { DeliveryStore } from '../../../shared/delivery/ports.ts';
import { MAX_ATTEMPTS, nextAttemptAt } from '../../../shared/delivery/retry-schedule.ts';
import { LOCAL_URL_POLICY, type Resolver, type UrlPolicy } from '../../../shared/delivery/url-policy.ts';
import { webhookIdFor } from '../../../shared/delivery/webhook-signing.ts';
import { DynamoAuditStore } from '../../../shared/store/dynamo-audit-store.ts';
import { DynamoDeliveryStore } from '../../../shared/store/dynamo-delivery-store.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';
import { WorldClock, startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = new Date('2030-03-01T09:00:00.000Z');
const AGENCY = 'mois';

const dynamo = useLocalDynamo();
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface HarnessOptions {
  worker?: Partial<DeliveryWorkerOptions>;
  policy?: UrlPolicy;
  resolve?: Resolver;
  wrapStore?: (store: DeliveryStore) => DeliveryStore;
}

/** A world of its own: a fresh table, a clock at T0 that also drives the system time, a real transport. */
const makeHarness = async (options: HarnessOptions = {}) => {
  const tableName = await dynamo.table('delivery-worker');
  const store = new DynamoDeliveryStore({ client: dynamo.documents(), tableName });
  const clock = new WorldClock(T0);
  const transport = new HttpWebhookTransport({ policy: options.policy ?? LOCAL_URL_POLICY, resolve: options.resolve });
  cleanups.push(() => clock.restore(), () => transport.close());
  // The audit trail on the same table, as both composition roots wire it.
  const audit = new DynamoAuditStore({ client: dynamo.documents(), tableName });
  const makeWorker = (overrides: Partial<DeliveryWorkerOptions> = {}) =>
    new DeliveryWorker({ store: options.wrapStore?.(store) ?? store, transport, clock, audit, ...options.worker, ...overrides });
  const worker = makeWorker();
  const registry = new EndpointRegistry({ store, policy: options.policy ?? LOCAL_URL_POLICY, clock });
  const log = new DeliveryLog({ store, clock });

  /** Runs the worker at every due time before `until` (exclusive), moving the clock there step by step. */
  const walkUntil = async (until: Date) => {
    for (;;) {
      await worker.runDue();
      const next = await store.nextDueAt();
      if (!next || next.getTime() >= until.getTime()) break;
      clock.set(next.getTime() > clock.now().getTime() ? next : clock.now());
    }
    clock.set(until);
  };
  return { store, clock, transport, worker, makeWorker, registry, log, walkUntil, audit };
};

const receiver = async (...args: Parameters<typeof startWebhookReceiver>) => {
  const started = await startWebhookReceiver(...args);
  cleanups.push(() => started.close());
  return started;
};

/** Registers an endpoint for a running receiver, which then verifies with the endpoint's secret. */
const subscribe = async (registry: EndpointRegistry, target: WebhookReceiver, eventTypes: EventType[] = ['petition.completed']) => {
  const { endpoint, secret } = await registry.register(AGENCY, { url: target.url, eventTypes });
  target.useSecret(secret);
  return { endpoint, secret };
};

const completed = (at: Date, petitionId = randomUUID()): OutboxEvent =>
  outboxEvent(`petition:${petitionId}:completed`, {
    type: 'petition.completed',
    timestamp: at.toISOString(),
    data: { petitionId, agency: AGENCY, outcome: 'completed', resultUrl: `https://hanbeon.example/v1/results/${petitionId}`, resultSha256: createHash('sha256').update(petitionId).digest('hex') },
  });

describe('delivery worker: signed, thin, stable', () => {
  it('delivers each event once, signed so that the independent verifier accepts it, with the thin payload', async () => {
    const { store, worker, registry } = await makeHarness();
    const agency = await receiver();
    const { endpoint } = await subscribe(registry, agency);
    const events = [completed(T0), completed(T0), completed(T0)];
    for (const event of events) await store.enqueueEvent(event);

    const summary = await worker.runDue();

    expect(summary).toMatchObject({ dispatchedEvents: 3, createdDeliveries: 3, attempts: 3, delivered: 3 });
    expect(agency.received.map((r) => r.verified)).toEqual([true, true, true]);
    expect(agency.webhookIds().sort()).toEqual(events.map((e) => webhookIdFor(e.id, endpoint.id)).sort());
    for (const received of agency.received) {
      const payload = webhookPayloadSchema.parse(JSON.parse(received.body));
      const event = events.find((e) => webhookIdFor(e.id, endpoint.id) === received.webhookId)!;
      expect(payload).toEqual(event.payload);
      expect(Object.keys(payload.data).sort()).toEqual(['agency', 'outcome', 'petitionId', 'resultSha256', 'resultUrl']);
    }
  });

  it('sends only the events an endpoint subscribed to, and only to its own agency’s endpoints', async () => {
    const { store, worker, registry } = await makeHarness();
    const completedOnly = await receiver();
    const otherAgency = await receiver();
    await subscribe(registry, completedOnly, ['petition.completed']);
    await registry.register('nts', { url: otherAgency.url, eventTypes: ['petition.completed', 'petition.rejected'] });
    const petitionId = randomUUID();
    await store.enqueueEvent(
      outboxEvent(`petition:${petitionId}:rejected`, { type: 'petition.rejected', timestamp: T0.toISOString(), data: { petitionId, agency: AGENCY, outcome: 'rejected' } }),
    );
    await store.enqueueEvent(completed(T0));

    await worker.runDue();

    expect(completedOnly.received.map((r) => JSON.parse(r.body).type)).toEqual(['petition.completed']);
    expect(otherAgency.received).toHaveLength(0);
  });

  it('uses the same webhook id and body on every attempt, each attempt freshly signed', async () => {
    const { store, clock, worker, registry } = await makeHarness();
    const agency = await receiver({ behaviour: { kind: 'status', status: 500 } });
    await subscribe(registry, agency);
    await store.enqueueEvent(completed(T0));

    await worker.runDue();
    clock.set((await store.nextDueAt())!);
    await worker.runDue();
    agency.respondWith({ kind: 'ok' });
    clock.set((await store.nextDueAt())!);
    await worker.runDue();

    expect(agency.received.map((r) => r.answered)).toEqual([500, 500, 204]);
    expect(agency.received.every((r) => r.verified)).toBe(true);
    expect(new Set(agency.received.map((r) => r.webhookId)).size).toBe(1);
    expect(new Set(agency.received.map((r) => r.body)).size).toBe(1);
    expect(new Set(agency.received.map((r) => r.timestamp)).size).toBe(3);
  });

  it('creates one delivery when the same event is enqueued twice, also across a crash between fan-out and bookkeeping', async () => {
    let crashOnce = true;
    const { store, worker, makeWorker, registry } = await makeHarness({
      wrapStore: (inner) =>
        new Proxy(inner, {
          get(target, property, receiverObject) {
            if (property === 'markEventDispatched' && crashOnce) {
              return async () => {
                crashOnce = false;
                throw new Error('simulated crash after the deliveries were created');
              };
            }
            const value = Reflect.get(target, property, receiverObject);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
    });
    const agency = await receiver();
    await subscribe(registry, agency);
    const event = completed(T0);

    expect(await store.enqueueEvent(event)).toBe(true);
    await expect(worker.runDue()).rejects.toThrow(/simulated crash/);
    expect(await store.enqueueEvent(event)).toBe(false);
    const summary = await makeWorker().runDue();

    expect(summary).toMatchObject({ dispatchedEvents: 1, createdDeliveries: 0, delivered: 1 });
    expect(agency.received).toHaveLength(1);
  });

  it('lets two racing workers send each due delivery once', async () => {
    // Both workers query the due index only once both have arrived: they see the same deliveries and race for each.
    let arrived = 0;
    let release = () => {};
    const bothThere = new Promise<void>((resolve) => (release = resolve));
    const { store, makeWorker, registry } = await makeHarness({
      wrapStore: (inner) =>
        new Proxy(inner, {
          get(target, property, receiverObject) {
            const value = Reflect.get(target, property, receiverObject);
            if (property !== 'claimDue') return typeof value === 'function' ? value.bind(target) : value;
            return async (...args: Parameters<DeliveryStore['claimDue']>) => {
              if (arrived < 2 && ++arrived === 2) release();
              await bothThere;
              return target.claimDue(...args);
            };
          },
        }),
    });
    const agency = await receiver();
    await subscribe(registry, agency);
    const events = Array.from({ length: 20 }, () => completed(T0));
    for (const event of events) await store.enqueueEvent(event);

    const [first, second] = await Promise.all([makeWorker().runDue(), makeWorker().runDue()]);

    expect(agency.received).toHaveLength(20);
    expect(agency.webhookIds()).toHaveLength(20);
    expect(first.attempts + second.attempts).toBe(20);
    expect(first.delivered + second.delivered).toBe(20);
  });
});

describe('delivery worker: failures and the schedule', () => {
  it('loses nothing while a receiver is down for 72 hours: exactly the deliveries whose schedule outlasts the outage arrive, the rest are dead-lettered', async () => {
    // Jitter chosen per delivery: even events retry early (−10 %…−6 %), odd ones late (+6 %…+10 %), from a hash per attempt.
    const early = new Set<string>();
    const random = (webhookId: string, attempt: number) => {
      const r = createHash('sha256').update(`${webhookId}/${attempt}`).digest()[0]! / 256;
      return early.has(webhookId) ? r * 0.2 : 0.8 + r * 0.2;
    };
    const { store, clock, registry, log, walkUntil, audit } = await makeHarness({ worker: { random } });
    const agency = await receiver();
    const watcher = await receiver();
    // The failing endpoint also subscribes to dead letters: it must not be sent news of its own failures.
    const { endpoint } = await subscribe(registry, agency, ['petition.completed', 'delivery.dead_lettered']);
    await subscribe(registry, watcher, ['delivery.dead_lettered']);
    const events = Array.from({ length: 8 }, () => completed(T0));
    const ids = events.map((e) => webhookIdFor(e.id, endpoint.id));
    ids.forEach((id, i) => i % 2 === 0 && early.add(id));
    for (const event of events) await store.enqueueEvent(event);
    const backAt = new Date(T0.getTime() + 72 * HOUR);

    // Expected from the schedule alone: attempt n at t(n); delivered at the first attempt at or after backAt.
    const expected = new Map(
      ids.map((id) => {
        let t = T0;
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          if (t.getTime() >= backAt.getTime()) return [id, { status: 'delivered', attempts: attempt, at: t.toISOString() }];
          const next = nextAttemptAt(attempt, t, { random: random(id, attempt) });
          if (!next) return [id, { status: 'dead', attempts: attempt, at: t.toISOString() }];
          t = next;
        }
        throw new Error('unreachable');
      }),
    );
    const expectDelivered = ids.filter((id) => expected.get(id)!.status === 'delivered');
    const expectDead = ids.filter((id) => expected.get(id)!.status === 'dead');
    expect(expectDelivered.length).toBeGreaterThan(0);
    expect(expectDead.length).toBeGreaterThan(0);

    await agency.goDown();
    await walkUntil(backAt);
    await agency.comeBack();
    await walkUntil(new Date(T0.getTime() + 100 * HOUR));

    expect(agency.webhookIds().sort()).toEqual([...expectDelivered].sort());
    expect(agency.received).toHaveLength(expectDelivered.length);
    expect(agency.received.every((r) => r.verified)).toBe(true);
    for (const id of ids) {
      const { delivery, attempts } = await log.get(AGENCY, id);
      const { status, attempts: count, at } = expected.get(id)!;
      expect({ id, status: delivery.status, attempts: delivery.attempts, last: attempts.at(-1)!.at }).toEqual({ id, status, attempts: count, last: at });
      expect(attempts).toHaveLength(count);
    }
    // The agency's other endpoint heard of each dead letter, once, signed like any webhook.
    expect(watcher.received.every((r) => r.verified)).toBe(true);
    const deadLetters = watcher.received.map((r) => JSON.parse(r.body));
    expect(deadLetters.map((p) => p.data.webhookId).sort()).toEqual([...expectDead].sort());
    expect(deadLetters[0]).toMatchObject({ type: 'delivery.dead_lettered', data: { agency: AGENCY, endpointId: endpoint.id, attempts: MAX_ATTEMPTS } });
    expect(await store.getDelivery(webhookIdFor(deadLetterEventId({ webhookId: expectDead[0]!, series: 1 }), endpoint.id))).toBeUndefined();
    expect(clock.now()).toEqual(new Date(T0.getTime() + 100 * HOUR));
    // The audit trail holds one record per settled delivery to the failing endpoint: delivered or dead-lettered, with its attempts.
    const settled = (await audit.listPending(1000)).flatMap((e) => (e.kind === 'delivery' && e.endpointId === endpoint.id ? [e] : []));
    expect(settled.filter((e) => e.outcome === 'delivered').map((e) => [e.webhookId, e.attempts]).sort()).toEqual(expectDelivered.map((id) => [id, expected.get(id)!.attempts]).sort());
    expect(settled.filter((e) => e.outcome === 'dead-lettered').map((e) => [e.webhookId, e.attempts]).sort()).toEqual(expectDead.map((id) => [id, MAX_ATTEMPTS]).sort());
  });

  it('times out a hanging receiver and retries it', async () => {
    const { store, clock, worker, registry, log } = await makeHarness({ worker: { timeoutMs: 300 } });
    const agency = await receiver({ behaviour: { kind: 'hang' } });
    await subscribe(registry, agency);
    const event = await store.enqueueEvent(completed(T0)).then(async () => (await store.listPendingEvents(1))[0]!);

    await worker.runDue();
    agency.respondWith({ kind: 'ok' });
    const retryAt = await store.nextDueAt();
    clock.set(retryAt!);
    await worker.runDue();

    const webhookId = agency.received[0]!.webhookId;
    const { delivery, attempts } = await log.get(AGENCY, webhookId);
    expect(attempts[0]).toMatchObject({ attempt: 1, error: 'timeout: no complete answer within 300 ms', nextAttemptAt: retryAt!.toISOString() });
    expect(attempts[0]!.latencyMs).toBeGreaterThanOrEqual(290);
    expect(retryAt!.getTime() - T0.getTime()).toBeGreaterThanOrEqual(4.5 * SECOND);
    expect(retryAt!.getTime() - T0.getTime()).toBeLessThanOrEqual(5.5 * SECOND);
    expect(attempts[1]).toMatchObject({ attempt: 2, statusCode: 204 });
    expect(delivery.status).toBe('delivered');
    expect(agency.received.map((r) => r.webhookId)).toEqual([webhookId, webhookId]);
    expect(event.id).toBe(delivery.eventId);
  });

  it('counts a redirect as a failure and does not follow it', async () => {
    const { store, worker, registry, log } = await makeHarness();
    const elsewhere = await receiver();
    const agency = await receiver({ behaviour: { kind: 'status', status: 301, headers: { location: elsewhere.url } } });
    await subscribe(registry, agency);
    await store.enqueueEvent(completed(T0));

    await worker.runDue();

    const { delivery, attempts } = await log.get(AGENCY, agency.received[0]!.webhookId);
    expect(delivery).toMatchObject({ status: 'pending', lastStatusCode: 301 });
    expect(attempts).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('disables an endpoint that answers 410 Gone: its pending deliveries stop and new events no longer go to it', async () => {
    const { store, clock, worker, registry, log } = await makeHarness();
    const agency = await receiver({ behaviour: { kind: 'status', status: 500 } });
    const { endpoint } = await subscribe(registry, agency);
    await store.enqueueEvent(completed(T0));
    await worker.runDue();
    const waiting = agency.received[0]!.webhookId;

    agency.respondWith({ kind: 'status', status: 410 });
    clock.advance(SECOND);
    await store.enqueueEvent(completed(clock.now()));
    await worker.runDue();
    clock.advance(HOUR);
    const later = await worker.runDue();
    await store.enqueueEvent(completed(clock.now()));
    const afterwards = await worker.runDue();

    expect(agency.received.map((r) => r.answered)).toEqual([500, 410]);
    const [listed] = await registry.list(AGENCY);
    expect(listed).toMatchObject({ id: endpoint.id, status: 'disabled', disabledReason: expect.stringContaining('410 Gone') });
    expect((await log.get(AGENCY, waiting)).delivery).toMatchObject({ status: 'cancelled', cancelledReason: 'endpoint-disabled', attempts: 1 });
    expect((await log.get(AGENCY, agency.received[1]!.webhookId)).delivery).toMatchObject({ status: 'cancelled', lastStatusCode: 410 });
    expect(later).toMatchObject({ attempts: 0, cancelled: 1 });
    expect(afterwards).toMatchObject({ dispatchedEvents: 1, createdDeliveries: 0 });
  });

  it('stops the rest of a batch for an endpoint once it has answered 410', async () => {
    const { store, makeWorker, registry } = await makeHarness();
    const agency = await receiver({ behaviour: { kind: 'status', status: 410 } });
    await subscribe(registry, agency);
    for (let i = 0; i < 4; i++) await store.enqueueEvent(completed(T0));

    const summary = await makeWorker({ concurrency: 1 }).runDue();

    expect(agency.received).toHaveLength(1);
    expect(summary).toMatchObject({ attempts: 1, cancelled: 4 });
  });

  it('waits at least as long as Retry-After says (seconds), and not longer', async () => {
    const { store, clock, worker, registry, log } = await makeHarness();
    const agency = await receiver({ behaviour: { kind: 'status', status: 429, headers: { 'retry-after': '3600' } } });
    await subscribe(registry, agency);
    await store.enqueueEvent(completed(T0));

    await worker.runDue();
    agency.respondWith({ kind: 'ok' });
    clock.advance(HOUR - SECOND);
    const early = await worker.runDue();
    clock.advance(SECOND);
    const onTime = await worker.runDue();

    const { attempts } = await log.get(AGENCY, agency.received[0]!.webhookId);
    expect(attempts[0]).toMatchObject({ statusCode: 429, nextAttemptAt: new Date(T0.getTime() + HOUR).toISOString() });
    expect(early.attempts).toBe(0);
    expect(onTime.delivered).toBe(1);
  });

  it('reads Retry-After as an HTTP-date too', async () => {
    const { store, worker, registry, log } = await makeHarness();
    const retryAt = new Date(T0.getTime() + 2 * HOUR);
    const agency = await receiver({ behaviour: { kind: 'status', status: 503, headers: { 'retry-after': retryAt.toUTCString() } } });
    await subscribe(registry, agency);
    await store.enqueueEvent(completed(T0));

    await worker.runDue();

    const { delivery } = await log.get(AGENCY, agency.received[0]!.webhookId);
    expect(delivery.nextAttemptAt).toBe(retryAt.toISOString());
  });

  it('refuses at connect time a registered name that now resolves to 127.0.0.1, and retries later', async () => {
    const policy = { allowHttp: true, allowPrivateNetworks: false };
    const { store, worker, registry, log } = await makeHarness({ policy, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const agency = await receiver();
    const { endpoint } = await registry.register(AGENCY, { url: `http://hooks.agency.example:${agency.port}/webhooks`, eventTypes: ['petition.completed'] });
    const event = completed(T0);
    await store.enqueueEvent(event);

    await worker.runDue();

    const { delivery, attempts } = await log.get(AGENCY, webhookIdFor(event.id, endpoint.id));
    expect(agency.received).toHaveLength(0);
    expect(attempts).toEqual([expect.objectContaining({ error: 'address-refused: hooks.agency.example resolves to 127.0.0.1 (loopback); expected a public address' })]);
    expect(delivery.status).toBe('pending');
  });
});

describe('delivery log and replay', () => {
  it('lists every attempt with its status code or error, latency and next attempt', async () => {
    const { store, clock, worker, registry, log } = await makeHarness();
    const agency = await receiver({ behaviour: { kind: 'status', status: 500 } });
    await subscribe(registry, agency);
    const event = completed(T0);
    await store.enqueueEvent(event);

    await worker.runDue();
    await agency.goDown();
    clock.set((await store.nextDueAt())!);
    await worker.runDue();
    await agency.comeBack();
    agency.respondWith({ kind: 'ok', status: 200 });
    clock.set((await store.nextDueAt())!);
    await worker.runDue();

    const { delivery, attempts } = await log.get(AGENCY, agency.received[0]!.webhookId);
    expect(attempts.map(({ attempt, statusCode, error }) => ({ attempt, statusCode, error: error?.split(':')[0] }))).toEqual([
      { attempt: 1, statusCode: 500, error: undefined },
      { attempt: 2, statusCode: undefined, error: 'connection' },
      { attempt: 3, statusCode: 200, error: undefined },
    ]);
    expect(attempts[1]!.error).toContain('ECONNREFUSED');
    expect(attempts.every((a) => a.latencyMs > 0)).toBe(true);
    expect(attempts[0]!.nextAttemptAt).toBe(attempts[1]!.at);
    expect(attempts[1]!.nextAttemptAt).toBe(attempts[2]!.at);
    expect(attempts[2]!.nextAttemptAt).toBeUndefined();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, deliveredAt: attempts[2]!.at });
  });

  it('replays a delivered message under the same webhook id, as a new series', async () => {
    const { store, clock, worker, registry, log } = await makeHarness();
    const agency = await receiver();
    await subscribe(registry, agency);
    await store.enqueueEvent(completed(T0));
    await worker.runDue();
    const webhookId = agency.received[0]!.webhookId;

    clock.advance(3 * HOUR);
    const replayed = await log.replay(AGENCY, webhookId);
    await worker.runDue();

    expect(replayed).toMatchObject({ webhookId, status: 'pending', series: 2, attempts: 0 });
    expect(agency.received.map((r) => r.webhookId)).toEqual([webhookId, webhookId]);
    expect(agency.received.every((r) => r.verified)).toBe(true);
    expect(agency.received[1]!.body).toBe(agency.received[0]!.body);
    const { delivery, attempts } = await log.get(AGENCY, webhookId);
    expect(attempts.map((a) => [a.series, a.attempt, a.statusCode])).toEqual([
      [1, 1, 204],
      [2, 1, 204],
    ]);
    expect(delivery).toMatchObject({ status: 'delivered', series: 2 });
  });

  it('replays every delivery of a time range, dead letters included, and none outside it', async () => {
    const { store, clock, worker, registry, log, walkUntil } = await makeHarness();
    const agency = await receiver({ behaviour: { kind: 'status', status: 500 } });
    await subscribe(registry, agency);
    const times = [0, 1, 2, 3].map((h) => new Date(T0.getTime() + h * HOUR));
    for (const at of times) {
      clock.set(at);
      await store.enqueueEvent(completed(at));
      await worker.runDue();
    }
    const ids = agency.webhookIds();
    await walkUntil(new Date(T0.getTime() + 100 * HOUR));
    expect((await log.list(AGENCY, { from: T0.toISOString(), to: clock.now().toISOString() })).items.map((d) => d.status)).toEqual(['dead', 'dead', 'dead', 'dead']);
    agency.respondWith({ kind: 'ok' });
    const before = agency.received.length;

    const result = await log.replayRange(AGENCY, { from: times[1]!.toISOString(), to: times[3]!.toISOString() });
    await worker.runDue();

    expect(result).toEqual({ replayed: [ids[1], ids[2]], skipped: [] });
    expect(agency.received.slice(before).map((r) => r.webhookId).sort()).toEqual([ids[1], ids[2]].sort());
    expect((await log.get(AGENCY, ids[1]!)).delivery).toMatchObject({ status: 'delivered', series: 2 });
    expect((await log.get(AGENCY, ids[0]!)).delivery).toMatchObject({ status: 'dead', series: 1 });
  });

  it('does not show or replay another agency’s delivery', async () => {
    const { store, worker, registry, log } = await makeHarness();
    const agency = await receiver();
    await subscribe(registry, agency);
    await store.enqueueEvent(completed(T0));
    await worker.runDue();
    const webhookId = agency.received[0]!.webhookId;

    await expect(log.get('nts', webhookId)).rejects.toMatchObject({ name: 'DeliveryNotFoundError' });
    await expect(log.replay('nts', webhookId)).rejects.toMatchObject({ name: 'DeliveryNotFoundError' });
  });

  it('refuses to replay to a disabled endpoint', async () => {
    const { store, worker, registry, log } = await makeHarness();
    const agency = await receiver({ behaviour: { kind: 'status', status: 410 } });
    await subscribe(registry, agency);
    await store.enqueueEvent(completed(T0));
    await worker.runDue();

    await expect(log.replay(AGENCY, agency.received[0]!.webhookId)).rejects.toMatchObject({ name: 'EndpointNotActiveError' });
  });
});
