/**
 * Case-officer review, end to end: a petition the rules send to review waits in AWAITING_REVIEW, the
 * handling agency hears of it by webhook, decides through the agency API, and the workflow resumes
 * to a signed result. A review that passes its deadline is escalated: the agency is asked again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';
import { until } from '../../support/until.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

const agencyKey = async (t: TestPlatform, agency: string) =>
  ((await (await fetch(`${t.url}/dev/agencies/${agency}/api-keys`, { method: 'POST' })).json()) as { key: string }).key;

const subscribe = async (t: TestPlatform, key: string, receiver: WebhookReceiver) => {
  const answer = await fetch(`${t.url}/v1/agency/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url, eventTypes: ['petition.review_requested', 'petition.completed', 'petition.rejected'] }),
  });
  receiver.useSecret(((await answer.json()) as { secret: string }).secret);
};

const decide = (t: TestPlatform, key: string, id: string, decision: 'approve' | 'reject', reason: string) =>
  fetch(`${t.url}/v1/agency/petitions/${id}/decision`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ decision, reason }),
  });

describe('case-officer review', () => {
  let t: TestPlatform;
  let receiver: WebhookReceiver;
  let mois: string;
  beforeAll(async () => {
    t = await startTestPlatform();
    receiver = await startWebhookReceiver();
    mois = await agencyKey(t, 'mois');
    await subscribe(t, mois, receiver);
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('pauses for review, tells the handling agency, and resumes to a signed result on its decision', async () => {
    const { token, id } = await t.submitExample('basic-pension', 'demo-lee-cheolsu');
    await t.waitForStatus(token, id, ['AWAITING_REVIEW']);
    const requested = await until('review_requested', () => receiver.received.find((r) => r.body.includes(id) && r.body.includes('petition.review_requested')), 20_000);
    expect(requested.verified).toBe(true);

    const answer = await decide(t, mois, id, 'approve', '소득 증빙을 검토한 결과 지급 대상으로 확인되었습니다.');
    const petition = await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED']);

    expect(answer.status).toBe(202);
    expect(petition.status).toBe('COMPLETED');
    expect(petition.decision).toMatchObject({ outcome: 'approve', reasons: [expect.objectContaining({ ko: '소득 증빙을 검토한 결과 지급 대상으로 확인되었습니다.' })] });
    expect((await fetch(`${t.url}/v1/petitions/${id}/result.pdf`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await until('petition.completed', () => receiver.received.find((r) => r.body.includes(id) && r.body.includes('petition.completed')), 20_000);
  });

  it('takes the first decision only: a second one is a 409 problem', async () => {
    const { token, id } = await t.submitExample('basic-pension', 'demo-lee-cheolsu');
    await t.waitForStatus(token, id, ['AWAITING_REVIEW']);

    const first = await decide(t, mois, id, 'reject', '소득 기준을 초과합니다.');
    const second = await decide(t, mois, id, 'approve', '번복');
    const petition = await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED']);

    expect(first.status).toBe(202);
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toBe('application/problem+json');
    expect(petition.status).toBe('REJECTED');
  });

  it('lets no other agency decide (404, like a petition that does not exist)', async () => {
    const { token, id } = await t.submitExample('basic-pension', 'demo-lee-cheolsu');
    await t.waitForStatus(token, id, ['AWAITING_REVIEW']);

    const court = await decide(t, await agencyKey(t, 'court'), id, 'approve', '권한 없음');

    expect(court.status).toBe(404);
    expect((await (await t.getPetition(token, id)).json()) as { status: string }).toMatchObject({ status: 'AWAITING_REVIEW' });
  });
});

describe('a review that passes its deadline', () => {
  it('is escalated: the handling agency is asked again, and a later decision still resumes it', async () => {
    // 72 hours scaled down to about a second and a half.
    const t = await startTestPlatform({ HANBEON_REVIEW_DEADLINE_SCALE: String(1.5 / (72 * 3600)) });
    const receiver = await startWebhookReceiver();
    try {
      const mois = await agencyKey(t, 'mois');
      await subscribe(t, mois, receiver);
      const { token, id } = await t.submitExample('basic-pension', 'demo-lee-cheolsu');
      await t.waitForStatus(token, id, ['AWAITING_REVIEW']);

      const requests = await until('a second review request', () => {
        const found = receiver.received.filter((r) => r.body.includes(id) && r.body.includes('petition.review_requested'));
        return found.length >= 2 ? found : undefined;
      }, 20_000);
      const answer = await decide(t, mois, id, 'approve', '기한 경과 후 검토 완료');
      const petition = await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED']);

      expect(new Set(requests.map((r) => r.webhookId)).size).toBe(requests.length);
      expect(answer.status).toBe(202);
      expect(petition.status).toBe('COMPLETED');
      expect(petition.timeline.some((e) => e.state === 'EscalateReview')).toBe(true);
    } finally {
      await receiver.close();
      await t.close();
    }
  }, 60_000);
});
