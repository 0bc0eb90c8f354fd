/**
 * Task state entry point: RequestReview in shared/workflow/review-steps.ts, wrapped for Lambda and
 * invoked by `lambda:invoke.waitForTaskToken`: the execution resumes on the decision, not on return.
 */
import { requestReview, type ReviewRequest } from '../../shared/workflow/review-steps.ts';
import { taskHandler } from '../lambda.ts';
import { requirePorts, type MaybeReviewDeps } from './review-ports.ts';

export const handler = taskHandler((input: ReviewRequest, deps: MaybeReviewDeps) => requestReview(input, requirePorts(deps, ['reviews', 'callbacks'])));
