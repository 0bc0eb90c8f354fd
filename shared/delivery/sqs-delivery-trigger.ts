/**
 * On AWS the webhook worker is a Lambda fed by an SQS queue (with a dead-letter queue). Announcing
 * an outcome sends one small message — no payload, the outbox in the table is the truth — so the
 * worker runs at once; a schedule runs it every minute for retries that fall due later.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export class SqsDeliveryTrigger {
  constructor(private readonly options: { client: SQSClient; queueUrl: string }) {}

  /** Asks the worker to run; the reason is only for its logs. */
  async wake(reason: string): Promise<void> {
    await this.options.client.send(new SendMessageCommand({ QueueUrl: this.options.queueUrl, MessageBody: JSON.stringify({ wake: reason }) }));
  }
}
