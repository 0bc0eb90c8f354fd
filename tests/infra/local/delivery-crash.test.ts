/**
 * No event is lost to a crash: the receiver is failing when the petition is decided, the platform
 * process is SIGKILLed while the delivery waits for its retry, and after a restart on the same data
 * directory the event arrives — once accepted, with the webhook-id of its first attempt.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devAgencyKey, devToken, startChildPlatform, submitExampleOver, type ChildPlatform } from '../../support/child-platform.ts';
import { until } from '../../support/until.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

let dataDir: string;
let platform: ChildPlatform | undefined;
let receiver: WebhookReceiver | undefined;

afterAll(async () => {
  platform?.child.kill('SIGKILL');
  await receiver?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a crash between the decision and the delivery', () => {
  it('delivers the event after a restart, with the same webhook-id, and nothing twice', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hanbeon-delivery-crash-'));
    receiver = await startWebhookReceiver({ behaviour: { kind: 'status', status: 503 } });
    const env = { DATA_DIR: dataDir, HANBEON_RETRY_INTERVAL_MS: '0' };
    platform = await startChildPlatform(env);
    const url = platform.url;
    const key = await devAgencyKey(url, 'mois');
    const registered = await fetch(`${url}/v1/agency/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, eventTypes: ['petition.completed'] }),
    });
    const { secret } = (await registered.json()) as { secret: string };
    receiver.useSecret(secret);
    const id = await submitExampleOver(url, await devToken(url, 'demo-kim-younghee'), 'basic-pension', 'crash-delivery-1');

    // The first attempt meets a 503: the delivery now waits ~5 s for its retry. (Killed before the
    // attempt is recorded, its lease would hold it for a minute first; that path is the worker's own test.)
    const first = await until('the first (failed) attempt', () => receiver!.received.find((r) => r.body.includes(id)), 30_000);
    expect(first.answered).toBe(503);
    await until('the attempt to be recorded', async () => {
      const log = (await (await fetch(`${url}/v1/agency/deliveries/${first.webhookId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { delivery: { lastStatusCode?: number } };
      return log.delivery.lastStatusCode === 503 ? log : undefined;
    }, 30_000);
    platform.child.kill('SIGKILL');
    await platform.exited;
    receiver.respondWith({ kind: 'ok' });

    platform = await startChildPlatform(env);
    const ok = (answered: number | undefined) => answered !== undefined && answered >= 200 && answered < 300;
    const accepted = await until('the delivery after restart', () => receiver!.received.find((r) => r.body.includes(id) && ok(r.answered)), 45_000);

    expect(accepted.webhookId).toBe(first.webhookId);
    expect(accepted.verified).toBe(true);
    expect(receiver.received.filter((r) => r.body.includes(id) && ok(r.answered))).toHaveLength(1);
  }, 120_000);
});
