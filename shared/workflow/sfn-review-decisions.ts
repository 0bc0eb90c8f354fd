/**
 * Case-officer decisions on AWS (docs/adr/0006): the decision is recorded with the review, first
 * writer wins, then handed to the paused execution with SendTaskSuccess and the task token that
 * RequestReview kept with the review.
 */
import { SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut, type SFNClient } from '@aws-sdk/client-sfn';
import type { ReviewStore } from '../store/review-store.ts';
import { reviewedDecision, type CaseOfficerDecision, type TaskCallbacks } from './review-steps.ts';

/** TaskCallbacks over Step Functions. A token whose wait has ended is `'stale'`, not an error. */
export class SfnTaskCallbacks implements TaskCallbacks {
  constructor(private readonly client: SFNClient) {}

  async succeed(taskToken: string, output: unknown): Promise<'sent' | 'stale'> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return 'sent';
    } catch (error) {
      // TaskTimedOut: the deadline passed or the task was completed already; TaskDoesNotExist: the
      // execution is gone. Either way this wait is over and nothing is left to resume with this token.
      if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist) return 'stale';
      throw error;
    }
  }
}

/** The agency API's ReviewDecisions port on AWS (functions/api/agency-deps.ts). */
export class SfnReviewDecisions {
  constructor(private readonly options: { reviews: ReviewStore; callbacks: TaskCallbacks }) {}

  /** Records the decision (first wins), then resumes the execution waiting for it. */
  async decide(decision: CaseOfficerDecision): Promise<'accepted' | 'already-decided'> {
    const { petitionId, outcome, reason, decidedBy, decidedAt } = decision;
    const result = await this.options.reviews.recordDecision(petitionId, { outcome, reason, decidedBy, decidedAt });
    if (!result.recorded) return 'already-decided';
    // The recorded decision is the one that stands, whatever the token says. No token yet, or a stale
    // one (the deadline passed a moment ago): the next RequestReview attaches its token, finds this
    // decision and resumes with it (review-steps.ts requestReview), so the decision is not lost.
    const taskToken = result.review.taskToken;
    if (taskToken !== undefined) await this.options.callbacks.succeed(taskToken, reviewedDecision(result.review.decision ?? { outcome, reason, decidedBy, decidedAt }));
    return 'accepted';
  }
}
