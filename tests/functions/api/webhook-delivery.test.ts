/**
 * Outcomes reach the agencies, end to end through the embedded platform: an agency registers an
 * endpoint with its API key, a petition is decided, and a real receiver on 127.0.0.1 gets a
 * Standard Webhooks delivery that the official library verifies, naming the signed result, which
 * the agency then downloads. The citizen sees the same changes as server-sent events and in the
 * notification log.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';
import { until } from '../../support/until.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

let t: TestPlatform;
let receiver: WebhookReceiver;

beforeAll(async () => {
  t = await startTestPlatform();
  receiver = await startWebhookReceiver();
}, 60_000);
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

const agencyKey = async (url: string, agency: string): Promise<string> => {
  const answer = await fetch(`${url}/dev/agencies/${agency}/api-keys`, { method: 'POST' });
  if (!answer.ok) throw new Error(`agency key for ${agency}: ${answer.status} ${await answer.text()}`);
  return ((await answer.json()) as { key: string }).key;
};

const registerEndpoint = async (key: string, url: string, eventTypes: string[]) => {
  const answer = await fetch(`${t.url}/v1/agency/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url, eventTypes }),
  });
  expect(answer.status).toBe(201);
  return (await answer.json()) as { endpoint: { id: string }; secret: string };
};

describe('webhook delivery to agencies', () => {
  it('delivers petition.completed to the handling agency, signed so the official library verifies it, naming the signed result', async () => {
    const key = await agencyKey(t.url, 'mois');
    const { secret } = await registerEndpoint(key, receiver.url, ['petition.completed', 'petition.rejected']);
    receiver.useSecret(secret);

    const { token, id } = await t.submitExample('basic-pension', 'demo-kim-younghee');
    await t.waitForStatus(token, id, ['COMPLETED']);
    const delivery = await until('the delivery', () => receiver.received.find((r) => r.body.includes(id)));

    expect(delivery.verified).toBe(true);
    const payload = JSON.parse(delivery.body) as { type: string; data: { petitionId: string; agency: string; outcome: string; resultUrl: string; resultSha256: string } };
    expect(payload).toMatchObject({ type: 'petition.completed', data: { petitionId: id, agency: 'mois', outcome: 'completed' } });
    // Thin: ids and a link, no personal data.
    expect(delivery.body).not.toContain('김영희');
    const result = await fetch(payload.data.resultUrl.replace(/^https?:\/\/[^/]+/, t.url), { headers: { authorization: `Bearer ${key}` } });
    expect(result.status).toBe(200);
    expect(createHash('sha256').update(new Uint8Array(await result.arrayBuffer())).digest('hex')).toBe(payload.data.resultSha256);
  });

  it('tells only the agencies a petition is addressed to, and each only once', async () => {
    const court = await agencyKey(t.url, 'court');
    const courtReceiver = await startWebhookReceiver();
    try {
      const { secret } = await registerEndpoint(court, courtReceiver.url, ['petition.completed']);
      courtReceiver.useSecret(secret);

      const { token, id } = await t.submitExample('move-in-report', 'demo-park-jiwoo'); // handled by mois, notifies mois
      await t.waitForStatus(token, id, ['COMPLETED']);
      await until('the mois delivery', () => receiver.received.find((r) => r.body.includes(id)));
      await t.platform.deliveryLoop.idle();

      expect(courtReceiver.received.filter((r) => r.body.includes(id))).toEqual([]);
      expect(receiver.received.filter((r) => r.body.includes(id))).toHaveLength(1);
    } finally {
      await courtReceiver.close();
    }
  });

  it('streams the status changes to the owner as server-sent events, ending at the outcome', async () => {
    const { token, id } = await t.submitExample('basic-pension', 'demo-kim-younghee');
    await t.waitForStatus(token, id, ['COMPLETED']);

    const answer = await fetch(`${t.url}/v1/petitions/${id}/events`, { headers: { authorization: `Bearer ${token}` } });
    const stream = await answer.text();
    const resumed = await (await fetch(`${t.url}/v1/petitions/${id}/events`, { headers: { authorization: `Bearer ${token}`, 'last-event-id': '3' } })).text();
    const stranger = await fetch(`${t.url}/v1/petitions/${id}/events`, { headers: { authorization: `Bearer ${await t.token('demo-lee-cheolsu')}` } });

    expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const statuses = [...stream.matchAll(/event: status\ndata: (.*)\n/g)].map((m) => (JSON.parse(m[1]!) as { status: string }).status);
    expect(statuses[0]).toBe('RECEIVED');
    expect(statuses.at(-1)).toBe('COMPLETED');
    expect(stream).toContain('event: end');
    expect(resumed).not.toContain('"status":"RECEIVED"');
    expect(stranger.status).toBe(404);
  });

  it('writes every outcome to the citizen notification log, without names or fields', async () => {
    const { token, id } = await t.submitExample('basic-pension', 'demo-park-jiwoo');
    await t.waitForStatus(token, id, ['REJECTED']);

    const lines = (await readFile(join(t.platform.config.DATA_DIR, 'notifications.log'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(lines.filter((line) => line.petitionId === id)).toEqual([expect.objectContaining({ petitionId: id, status: 'REJECTED', outcome: 'rejected', subject: 'demo-park-jiwoo' })]);
    expect(JSON.stringify(lines)).not.toContain('박지우');
  });
});
