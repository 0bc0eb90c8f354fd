import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { outboxEvent, type OutboxEvent } from '../../../shared/delivery/events.ts';
import type { Delivery, DeliveryAttempt, Endpoint } from '../../../shared/delivery/model.ts';
import { webhookIdFor } from '../../../shared/delivery/webhook-signing.ts';
import { DynamoDeliveryStore } from '../../../shared/store/dynamo-delivery-store.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';

const dynamo = useLocalDynamo();

/** A store on a table of its own: due-delivery queries see the whole table. */
const freshStore = async () => {
  const tableName = await dynamo.table('delivery-store');
  return new DynamoDeliveryStore({ client: dynamo.documents(), tableName });
};

const T0 = new Date('2030-03-01T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE_MS = 60_000;

const makeEndpoint = (overrides: Partial<Endpoint> = {}): Endpoint => ({
  id: `ep_${randomUUID()}`,
  agency: 'mois',
  url: 'https://agency.example/hooks',
  eventTypes: ['petition.completed'],
  status: 'active',
  secrets: [{ secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', createdAt: T0.toISOString() }],
  createdAt: T0.toISOString(),
  updatedAt: T0.toISOString(),
  version: 1,
  ...overrides,
});

const makeEvent = (overrides: { id?: string; agency?: string; occurredAt?: string } = {}): OutboxEvent =>
  outboxEvent(overrides.id ?? `petition:${randomUUID()}:completed`, {
    type: 'petition.completed',
    timestamp: overrides.occurredAt ?? T0.toISOString(),
    data: { petitionId: randomUUID(), agency: overrides.agency ?? 'mois', outcome: 'completed', resultUrl: 'https://hanbeon.example/results/x', resultSha256: 'ab'.repeat(32) },
  });

const makeDelivery = (overrides: Partial<Delivery> = {}): Delivery => {
  const eventId = overrides.eventId ?? `petition:${randomUUID()}:completed`;
  const endpointId = overrides.endpointId ?? 'ep_store';
  const createdAt = overrides.createdAt ?? T0.toISOString();
  return {
    webhookId: webhookIdFor(eventId, endpointId),
    eventId,
    eventType: 'petition.completed',
    agency: 'mois',
    endpointId,
    body: '{"type":"petition.completed"}',
    status: 'pending',
    series: 1,
    attempts: 0,
    nextAttemptAt: createdAt,
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...overrides,
  };
};

const attemptOf = (delivery: Delivery, overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
  webhookId: delivery.webhookId,
  series: delivery.series,
  attempt: delivery.attempts + 1,
  at: T0.toISOString(),
  statusCode: 500,
  latencyMs: 12.5,
  ...overrides,
});

describe('DynamoDeliveryStore: endpoints', () => {
  it('creates, reads and lists an agency’s endpoints, oldest first, and not another agency’s', async () => {
    const store = await freshStore();
    const first = makeEndpoint({ createdAt: at(0).toISOString() });
    const second = makeEndpoint({ createdAt: at(1000).toISOString(), eventTypes: ['petition.completed', 'delivery.dead_lettered'] });
    const foreign = makeEndpoint({ agency: 'nts' });

    for (const endpoint of [second, foreign, first]) await store.createEndpoint(endpoint);

    expect(await store.getEndpoint(first.id)).toEqual(first);
    expect(await store.listEndpoints('mois')).toEqual([first, second]);
  });

  it('refuses an endpoint id that is taken', async () => {
    const store = await freshStore();
    const endpoint = makeEndpoint();
    await store.createEndpoint(endpoint);

    await expect(store.createEndpoint({ ...endpoint, url: 'https://other.example/' })).rejects.toMatchObject({ name: 'DeliveryConflictError' });
  });

  it('replaces secrets only at the expected version', async () => {
    const store = await freshStore();
    const endpoint = makeEndpoint();
    await store.createEndpoint(endpoint);
    const secrets = [{ secret: 'whsec_bmV3', createdAt: at(5).toISOString() }, { ...endpoint.secrets[0]!, expiresAt: at(86_400_000).toISOString() }];

    const updated = await store.replaceSecrets(endpoint.id, secrets, 1, at(5).toISOString());

    expect(updated).toMatchObject({ secrets, version: 2 });
    await expect(store.replaceSecrets(endpoint.id, [], 1, at(6).toISOString())).rejects.toMatchObject({ name: 'DeliveryConflictError' });
  });

  it('disables an endpoint once, and deletes it', async () => {
    const store = await freshStore();
    const endpoint = makeEndpoint();
    await store.createEndpoint(endpoint);

    await store.disableEndpoint(endpoint.id, 'answered 410 Gone', at(1).toISOString());
    await store.disableEndpoint(endpoint.id, 'second reason', at(2).toISOString());

    expect(await store.getEndpoint(endpoint.id)).toMatchObject({ status: 'disabled', disabledReason: 'answered 410 Gone', disabledAt: at(1).toISOString() });
    expect(await store.deleteEndpoint(endpoint.id)).toBe(true);
    expect(await store.deleteEndpoint(endpoint.id)).toBe(false);
    expect(await store.getEndpoint(endpoint.id)).toBeUndefined();
    await expect(store.disableEndpoint(endpoint.id, 'gone', at(3).toISOString())).resolves.toBeUndefined();
  });
});

describe('DynamoDeliveryStore: outbox', () => {
  it('keeps the first event with an id: enqueueing it twice leaves one pending event', async () => {
    const store = await freshStore();
    const event = makeEvent();

    expect(await store.enqueueEvent(event)).toBe(true);
    expect(await store.enqueueEvent(event)).toBe(false);

    expect(await store.listPendingEvents(10)).toEqual([event]);
  });

  it('lists pending events oldest first and drops them once dispatched', async () => {
    const store = await freshStore();
    const later = makeEvent({ occurredAt: at(2000).toISOString() });
    const earlier = makeEvent({ occurredAt: at(1000).toISOString() });
    await store.enqueueEvent(later);
    await store.enqueueEvent(earlier);

    expect((await store.listPendingEvents(10)).map((e) => e.id)).toEqual([earlier.id, later.id]);
    await store.markEventDispatched(earlier.id, at(3000).toISOString());
    expect((await store.listPendingEvents(10)).map((e) => e.id)).toEqual([later.id]);
  });

  it('returns the payload exactly as enqueued (key order included)', async () => {
    const store = await freshStore();
    const event = makeEvent();
    await store.enqueueEvent(event);

    const [stored] = await store.listPendingEvents(1);

    expect(JSON.stringify(stored!.payload)).toBe(JSON.stringify(event.payload));
  });
});

describe('DynamoDeliveryStore: deliveries', () => {
  it('keeps the first delivery with a webhook id', async () => {
    const store = await freshStore();
    const delivery = makeDelivery();

    expect(await store.createDelivery(delivery)).toBe(true);
    expect(await store.createDelivery({ ...delivery, body: 'other' })).toBe(false);

    expect(await store.getDelivery(delivery.webhookId)).toEqual(delivery);
  });

  it('claims only what is due, and nothing twice while the lease holds', async () => {
    const store = await freshStore();
    const due = makeDelivery();
    const later = makeDelivery({ nextAttemptAt: at(5000).toISOString() });
    await store.createDelivery(due);
    await store.createDelivery(later);

    const first = await store.claimDue(at(0), 10, LEASE_MS);
    const again = await store.claimDue(at(1000), 10, LEASE_MS);

    expect(first.map((c) => c.delivery.webhookId)).toEqual([due.webhookId]);
    expect(first[0]!.leaseUntil).toBe(at(LEASE_MS).toISOString());
    expect(again).toEqual([]);
  });

  it('makes a delivery due again when its lease runs out (the worker died mid-attempt)', async () => {
    const store = await freshStore();
    const delivery = makeDelivery();
    await store.createDelivery(delivery);
    const [lost] = await store.claimDue(at(0), 10, LEASE_MS);

    expect(await store.nextDueAt()).toEqual(at(LEASE_MS));
    const [taken] = await store.claimDue(at(LEASE_MS), 10, LEASE_MS);

    expect(taken!.delivery.webhookId).toBe(delivery.webhookId);
    await expect(store.settle(lost!, { status: 'delivered' }, attemptOf(delivery, { statusCode: 200 }), at(LEASE_MS + 1).toISOString())).rejects.toMatchObject({
      name: 'DeliveryConflictError',
    });
    expect((await store.settle(taken!, { status: 'delivered' }, attemptOf(delivery, { statusCode: 200 }), at(LEASE_MS + 2).toISOString())).status).toBe('delivered');
  });

  it('gives each due delivery to exactly one of many concurrent claimers', async () => {
    const store = await freshStore();
    const deliveries = Array.from({ length: 30 }, () => makeDelivery());
    await Promise.all(deliveries.map((d) => store.createDelivery(d)));

    const rounds = await Promise.all(Array.from({ length: 6 }, () => store.claimDue(at(0), 30, LEASE_MS)));

    const claimed = rounds.flat().map((c) => c.delivery.webhookId);
    expect(claimed.sort()).toEqual(deliveries.map((d) => d.webhookId).sort());
  });

  it('settles a failed attempt: logged, counted, and due again at the next attempt', async () => {
    const store = await freshStore();
    const delivery = makeDelivery();
    await store.createDelivery(delivery);
    const [claim] = await store.claimDue(at(0), 1, LEASE_MS);
    const next = at(5000).toISOString();

    const settled = await store.settle(claim!, { status: 'pending', nextAttemptAt: next }, attemptOf(delivery, { nextAttemptAt: next }), at(20).toISOString());

    expect(settled).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: next, lastStatusCode: 500, version: 3 });
    expect(await store.nextDueAt()).toEqual(at(5000));
    expect(await store.claimDue(at(4999), 10, LEASE_MS)).toEqual([]);
    expect(await store.listAttempts(delivery.webhookId)).toEqual([attemptOf(delivery, { nextAttemptAt: next })]);
  });

  it('takes a delivered, dead or cancelled delivery off the due index', async () => {
    const store = await freshStore();
    const outcomes = [{ status: 'delivered' }, { status: 'dead' }, { status: 'cancelled', reason: 'endpoint-disabled' }] as const;
    for (const _ of outcomes) await store.createDelivery(makeDelivery());
    const claims = await store.claimDue(at(0), 10, LEASE_MS);

    const settled = await Promise.all(claims.map((claim, i) => store.settle(claim, outcomes[i]!, undefined, at(10).toISOString())));

    expect(settled.map((d) => d.status)).toEqual(['delivered', 'dead', 'cancelled']);
    expect(settled[0]).toMatchObject({ deliveredAt: at(10).toISOString(), attempts: 0 });
    expect(settled[1]).toMatchObject({ deadAt: at(10).toISOString() });
    expect(settled[2]).toMatchObject({ cancelledReason: 'endpoint-disabled' });
    expect(await store.nextDueAt()).toBeUndefined();
    expect(await store.claimDue(at(10 * LEASE_MS), 10, LEASE_MS)).toEqual([]);
  });

  it('restarts a finished delivery as a new series under the same webhook id, at the expected version only', async () => {
    const store = await freshStore();
    const delivery = makeDelivery();
    await store.createDelivery(delivery);
    const [claim] = await store.claimDue(at(0), 1, LEASE_MS);
    const done = await store.settle(claim!, { status: 'dead' }, attemptOf(delivery), at(10).toISOString());

    const restarted = await store.restartDelivery(delivery.webhookId, done.version, at(60_000).toISOString());

    expect(restarted).toMatchObject({ webhookId: delivery.webhookId, status: 'pending', series: 2, attempts: 0, nextAttemptAt: at(60_000).toISOString() });
    expect(restarted.deadAt).toBeUndefined();
    expect((await store.claimDue(at(60_000), 10, LEASE_MS)).map((c) => c.delivery.webhookId)).toEqual([delivery.webhookId]);
    await expect(store.restartDelivery(delivery.webhookId, done.version, at(70_000).toISOString())).rejects.toMatchObject({ name: 'DeliveryConflictError' });
  });

  it('lists an agency’s deliveries created in [from, to), page by page', async () => {
    const store = await freshStore();
    const made = Array.from({ length: 5 }, (_, i) => makeDelivery({ createdAt: at(i * 1000).toISOString() }));
    for (const delivery of made) await store.createDelivery(delivery);
    await store.createDelivery(makeDelivery({ agency: 'nts', createdAt: at(1500).toISOString() }));

    const range = { from: at(1000).toISOString(), to: at(4000).toISOString() };
    const first = await store.listDeliveries('mois', range, { limit: 2 });
    const second = await store.listDeliveries('mois', range, { limit: 2, cursor: first.cursor });

    expect([...first.items, ...second.items].map((d) => d.webhookId)).toEqual(made.slice(1, 4).map((d) => d.webhookId));
    expect(second.cursor).toBeUndefined();
  });

  it('refuses a cursor from another agency’s listing', async () => {
    const store = await freshStore();
    for (let i = 0; i < 2; i++) await store.createDelivery(makeDelivery({ agency: 'nts', createdAt: at(i).toISOString() }));
    const range = { from: at(0).toISOString(), to: at(10).toISOString() };
    const { cursor } = await store.listDeliveries('nts', range, { limit: 1 });

    await expect(store.listDeliveries('mois', range, { cursor })).rejects.toMatchObject({ name: 'InvalidCursorError' });
  });

  it('says when the next thing is due: a pending outbox event counts at its time', async () => {
    const store = await freshStore();
    await store.createDelivery(makeDelivery({ nextAttemptAt: at(9000).toISOString() }));
    expect(await store.nextDueAt()).toEqual(at(9000));

    await store.enqueueEvent(makeEvent({ occurredAt: at(3000).toISOString() }));

    expect(await store.nextDueAt()).toEqual(at(3000));
  });
});
