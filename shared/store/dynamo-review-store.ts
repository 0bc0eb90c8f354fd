/**
 * ReviewStore on the single table (dynalite locally). The review lives in its petition's partition,
 * so reading a petition's whole partition finds it, and every change is one conditional write:
 *
 * | item   | pk              | sk       | itemType |
 * |--------|-----------------|----------|----------|
 * | review | `PETITION#<id>` | `REVIEW` | `review` |
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PetitionNotFoundError } from '../errors.ts';
import type { NewReview, RecordedReviewDecision, ReviewRecord, ReviewStore } from './review-store.ts';
import { KEY_ATTRIBUTES } from './table.ts';
import { isConditionalCheckFailed } from './conditional-writes.ts';

/** Key of a petition's review item. */
export const reviewItemKey = (petitionId: string) => ({ pk: `PETITION#${petitionId}`, sk: 'REVIEW' });

type Item = Record<string, unknown>;


const toReview = (item: Item): ReviewRecord => {
  const copy: Item = { ...item };
  for (const name of KEY_ATTRIBUTES) delete copy[name];
  return copy as unknown as ReviewRecord;
};

export interface DynamoReviewStoreOptions {
  /** A document client that drops undefined values (see createDocumentClient). */
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** ReviewStore on one DynamoDB table: single-item conditional writes, first writer wins. */
export class DynamoReviewStore implements ReviewStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: DynamoReviewStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async open(review: NewReview): Promise<ReviewRecord> {
    const record: ReviewRecord = { petitionId: review.petitionId, requestedAt: review.requestedAt, waitSeconds: review.waitSeconds, deadlineAt: review.deadlineAt, escalations: 0 };
    try {
      await this.#client.send(
        new PutCommand({ TableName: this.#table, Item: { ...record, ...reviewItemKey(review.petitionId), itemType: 'review' }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return record;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return this.#existing(review.petitionId);
  }

  async get(petitionId: string): Promise<ReviewRecord | undefined> {
    const output = await this.#client.send(new GetCommand({ TableName: this.#table, Key: reviewItemKey(petitionId), ConsistentRead: true }));
    return output.Item && toReview(output.Item);
  }

  async recordDecision(petitionId: string, decision: RecordedReviewDecision): Promise<{ recorded: true; review: ReviewRecord } | { recorded: false; review?: ReviewRecord }> {
    try {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: reviewItemKey(petitionId),
          UpdateExpression: 'SET #decision = :decision',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#decision)',
          ExpressionAttributeNames: { '#decision': 'decision' },
          ExpressionAttributeValues: { ':decision': { outcome: decision.outcome, reason: decision.reason, decidedBy: decision.decidedBy, decidedAt: decision.decidedAt } },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { recorded: true, review: toReview(output.Attributes ?? {}) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const review = await this.get(petitionId);
    return review ? { recorded: false, review } : { recorded: false };
  }

  async attachTaskToken(petitionId: string, taskToken: string): Promise<ReviewRecord> {
    try {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: reviewItemKey(petitionId),
          UpdateExpression: 'SET #taskToken = :taskToken',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#taskToken': 'taskToken' },
          ExpressionAttributeValues: { ':taskToken': taskToken },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toReview(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new PetitionNotFoundError(`petition '${petitionId}' has no review record to attach a task token to; expected RequestReview to have opened one`);
      throw error;
    }
  }

  async escalate(petitionId: string, change: { from: number; deadlineAt: string }): Promise<ReviewRecord> {
    try {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: reviewItemKey(petitionId),
          UpdateExpression: 'SET #escalations = :next, #deadlineAt = :deadlineAt',
          ConditionExpression: '#escalations = :from AND attribute_not_exists(#decision)',
          ExpressionAttributeNames: { '#escalations': 'escalations', '#deadlineAt': 'deadlineAt', '#decision': 'decision' },
          ExpressionAttributeValues: { ':from': change.from, ':next': change.from + 1, ':deadlineAt': change.deadlineAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toReview(output.Attributes ?? {});
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return this.#existing(petitionId);
  }

  async #existing(petitionId: string): Promise<ReviewRecord> {
    const review = await this.get(petitionId);
    if (!review) throw new PetitionNotFoundError(`the review record of petition '${petitionId}' vanished after a conflicting write`);
    return review;
  }
}
