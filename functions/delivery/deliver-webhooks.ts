/**
 * The webhook worker on AWS: woken by the delivery queue (an outcome was announced) and by a
 * one-minute schedule (retries that fell due). It runs the same DeliveryWorker as the embedded
 * platform until nothing is due or its time budget is spent. A run that throws leaves the queue
 * message to be retried, and after several failures in the dead-letter queue, where an alarm can
 * watch it; the deliveries themselves stay in the table either way.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/** Stop starting new runs this long before the Lambda would time out: one attempt may take 15 s. */
const SAFETY_MARGIN_MS = 20_000;

export const deliverWebhooks = async (remainingMs: () => number, deps: { runDue(): Promise<unknown>; nextDueAt(): Promise<Date | undefined>; now(): Date }) => {
  let runs = 0;
  while (remainingMs() > SAFETY_MARGIN_MS) {
    runs++;
    await deps.runDue();
    const next = await deps.nextDueAt();
    if (!next || next.getTime() > deps.now().getTime()) break;
  }
  return { runs };
};

export const handler = middy(async (_event: unknown, context: Context) => {
  const { awsDeliveryWorker } = await import('../compose.ts');
  const worker = await awsDeliveryWorker();
  return deliverWebhooks(() => context.getRemainingTimeInMillis(), worker);
});
