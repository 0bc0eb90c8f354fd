/** Task state entry point: the domain step in shared/workflow/review-steps.ts, wrapped for Lambda. */
import { escalateReview } from '../../shared/workflow/review-steps.ts';
import type { PetitionRef } from '../../shared/workflow/steps.ts';
import { taskHandler } from '../lambda.ts';
import { requirePorts, type MaybeReviewDeps } from './review-ports.ts';

export const handler = taskHandler((input: PetitionRef, deps: MaybeReviewDeps) => escalateReview(input, requirePorts(deps, ['reviews'])));
