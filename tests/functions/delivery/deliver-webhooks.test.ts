/** The AWS side of webhook delivery: the queue message that wakes the worker, and the worker's time budget. */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { deliverWebhooks } from '../../../functions/delivery/deliver-webhooks.ts';
import { SqsDeliveryTrigger } from '../../../shared/delivery/sqs-delivery-trigger.ts';

describe('SqsDeliveryTrigger', () => {
  it('sends one small message to the delivery queue, carrying no payload but the reason', async () => {
    const sqs = mockClient(SQSClient);
    const sent: unknown[] = [];
    sqs.on(SendMessageCommand).callsFake((input) => {
      sent.push(input);
      return { MessageId: String(sent.length) };
    });

    await new SqsDeliveryTrigger({ client: new SQSClient({}), queueUrl: 'https://sqs.ap-northeast-2.amazonaws.com/123456789012/delivery' }).wake('petition p-1 completed');

    expect(sent).toEqual([{ QueueUrl: 'https://sqs.ap-northeast-2.amazonaws.com/123456789012/delivery', MessageBody: '{"wake":"petition p-1 completed"}' }]);
  });
});

describe('deliverWebhooks', () => {
  const now = new Date('2026-11-25T00:00:00Z');

  it('runs the worker again while deliveries are already due, and stops when the next one lies ahead', async () => {
    const due = [now, now, new Date(now.getTime() + 5_000)];
    let runs = 0;

    const result = await deliverWebhooks(() => 120_000, { runDue: async () => void runs++, nextDueAt: async () => due.shift(), now: () => now });

    expect(runs).toBe(3);
    expect(result).toEqual({ runs: 3 });
  });

  it("starts no run when less than an attempt's worth of time is left", async () => {
    let runs = 0;

    const result = await deliverWebhooks(() => 19_000, { runDue: async () => void runs++, nextDueAt: async () => now, now: () => now });

    expect(runs).toBe(0);
    expect(result).toEqual({ runs: 0 });
  });
});
