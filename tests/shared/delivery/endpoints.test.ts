import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryLog } from '../../../shared/delivery/delivery-log.ts';
import { DeliveryWorker } from '../../../shared/delivery/delivery-worker.ts';
import { EndpointRegistry, ROTATION_GRACE_MS } from '../../../shared/delivery/endpoints.ts';
import { outboxEvent, type OutboxEvent } from '../../../shared/delivery/events.ts';
import { HttpWebhookTransport } from '../../../shared/delivery/http-transport.ts';
import { LOCAL_URL_POLICY, STRICT_URL_POLICY, type UrlPolicy } from '../../../shared/delivery/url-policy.ts';
import { DynamoDeliveryStore } from '../../../shared/store/dynamo-delivery-store.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';
import { WorldClock, startWebhookReceiver, verifiesWith } from '../../support/webhook-receiver.ts';

const HOUR = 3_600_000;
const T0 = new Date('2030-05-01T00:00:00.000Z');
const AGENCY = 'mois';

const dynamo = useLocalDynamo();
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const makeHarness = async (policy: UrlPolicy = LOCAL_URL_POLICY) => {
  const tableName = await dynamo.table('delivery-endpoints');
  const store = new DynamoDeliveryStore({ client: dynamo.documents(), tableName });
  const clock = new WorldClock(T0);
  const transport = new HttpWebhookTransport({ policy });
  cleanups.push(() => clock.restore(), () => transport.close());
  return {
    store,
    clock,
    registry: new EndpointRegistry({ store, policy, clock }),
    worker: new DeliveryWorker({ store, transport, clock }),
    log: new DeliveryLog({ store, clock }),
  };
};

const completed = (at: Date): OutboxEvent => {
  const petitionId = randomUUID();
  return outboxEvent(`petition:${petitionId}:completed`, { type: 'petition.completed', timestamp: at.toISOString(), data: { petitionId, agency: AGENCY, outcome: 'completed' } });
};

describe('endpoint registry', () => {
  it('shows the signing secret once: registering answers it, listing never does', async () => {
    const { registry, store } = await makeHarness();

    const { endpoint, secret } = await registry.register(AGENCY, { url: 'https://hooks.agency.example/hanbeon', eventTypes: ['petition.completed', 'petition.failed'], description: 'case system' });
    const listed = await registry.list(AGENCY);

    expect(secret).toMatch(/^whsec_/);
    expect(listed).toEqual([endpoint]);
    expect(listed[0]).toMatchObject({ agency: AGENCY, url: 'https://hooks.agency.example/hanbeon', status: 'active', eventTypes: ['petition.completed', 'petition.failed'] });
    expect(JSON.stringify(listed)).not.toContain(secret.slice('whsec_'.length));
    expect((await store.getEndpoint(endpoint.id))!.secrets.map((s) => s.secret)).toEqual([secret]);
  });

  it('refuses private, loopback and plain-http URLs under the strict policy, and stores nothing', async () => {
    const { registry } = await makeHarness(STRICT_URL_POLICY);

    for (const url of ['http://hooks.agency.example/', 'https://127.0.0.1/', 'https://[fd00::1]/', 'https://[::ffff:10.0.0.1]/', 'https://169.254.169.254/']) {
      await expect(registry.register(AGENCY, { url, eventTypes: ['petition.completed'] })).rejects.toMatchObject({ name: 'EndpointUrlRefusedError' });
    }
    expect(await registry.list(AGENCY)).toEqual([]);
  });

  it('refuses an unknown event type and an empty filter', async () => {
    const { registry } = await makeHarness();

    await expect(registry.register(AGENCY, { url: 'https://a.example/', eventTypes: ['petition.exploded' as never] })).rejects.toMatchObject({ name: 'ZodError' });
    await expect(registry.register(AGENCY, { url: 'https://a.example/', eventTypes: [] })).rejects.toMatchObject({ name: 'ZodError' });
  });

  it('deletes an endpoint of the agency only; its pending deliveries are cancelled unsent', async () => {
    const { registry, store, worker, clock, log } = await makeHarness();
    const agency = await startWebhookReceiver({ behaviour: { kind: 'status', status: 503 } });
    cleanups.push(() => agency.close());
    const { endpoint, secret } = await registry.register(AGENCY, { url: agency.url, eventTypes: ['petition.completed'] });
    agency.useSecret(secret);
    await store.enqueueEvent(completed(T0));
    await worker.runDue();

    await expect(registry.delete('nts', endpoint.id)).rejects.toMatchObject({ name: 'EndpointNotFoundError' });
    await registry.delete(AGENCY, endpoint.id);
    clock.set((await store.nextDueAt())!);
    await worker.runDue();

    expect(await registry.list(AGENCY)).toEqual([]);
    expect(agency.received).toHaveLength(1);
    expect((await log.get(AGENCY, agency.received[0]!.webhookId)).delivery).toMatchObject({ status: 'cancelled', cancelledReason: 'endpoint-deleted' });
  });
});

describe('secret rotation', () => {
  it('signs with both secrets for 24 hours, then with the new one only', async () => {
    const { registry, store, worker, clock } = await makeHarness();
    const agency = await startWebhookReceiver();
    cleanups.push(() => agency.close());
    const { endpoint, secret: oldSecret } = await registry.register(AGENCY, { url: agency.url, eventTypes: ['petition.completed'] });
    agency.useSecret(oldSecret);
    clock.advance(HOUR);

    const rotation = await registry.rotateSecret(AGENCY, endpoint.id);
    const newSecret = rotation.secret;
    clock.advance(ROTATION_GRACE_MS - 1000);
    await store.enqueueEvent(completed(clock.now()));
    await worker.runDue();
    const during = agency.received[0]!;
    clock.advance(1000);
    await store.enqueueEvent(completed(clock.now()));
    await worker.runDue();
    const after = agency.received[1]!;

    expect(rotation.previousExpiresAt).toBe(new Date(T0.getTime() + HOUR + ROTATION_GRACE_MS).toISOString());
    expect((await registry.list(AGENCY))[0]!.secretRotationEndsAt).toBe(rotation.previousExpiresAt);
    // During the grace period a receiver with either secret accepts.
    expect(during.signature.split(' ')).toHaveLength(2);
    expect(during.verified).toBe(true);
    expect(verifiesWith(during, newSecret)).toBe(true);
    // Afterwards only the new secret verifies: the receiver still on the old one refuses it.
    expect(after.signature.split(' ')).toHaveLength(1);
    expect(after.verified).toBe(false);
    expect(after.answered).toBe(401);
    expect(verifiesWith(after, newSecret)).toBe(true);
    expect(verifiesWith(after, oldSecret)).toBe(false);
  });

  it('drops secrets past their grace at the next rotation, and never extends a running grace', async () => {
    const { registry, store, clock } = await makeHarness();
    const { endpoint, secret: first } = await registry.register(AGENCY, { url: 'https://a.example/', eventTypes: ['petition.completed'] });

    const { secret: second, previousExpiresAt } = await registry.rotateSecret(AGENCY, endpoint.id);
    clock.advance(HOUR);
    const { secret: third } = await registry.rotateSecret(AGENCY, endpoint.id);
    clock.advance(ROTATION_GRACE_MS + HOUR);
    const { secret: fourth } = await registry.rotateSecret(AGENCY, endpoint.id);

    const secrets = (await store.getEndpoint(endpoint.id))!.secrets;
    expect(secrets.map((s) => s.secret)).toEqual([fourth, third]);
    expect(new Set([first, second, third, fourth]).size).toBe(4);
    expect(previousExpiresAt).toBe(new Date(T0.getTime() + ROTATION_GRACE_MS).toISOString());
  });

  it('rotates only the agency’s own endpoint', async () => {
    const { registry } = await makeHarness();
    const { endpoint } = await registry.register(AGENCY, { url: 'https://a.example/', eventTypes: ['petition.completed'] });

    await expect(registry.rotateSecret('nts', endpoint.id)).rejects.toMatchObject({ name: 'EndpointNotFoundError' });
  });
});
