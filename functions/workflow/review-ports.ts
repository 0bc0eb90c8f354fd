/** The review ports the composition root adds to the step dependencies on AWS (functions/compose.ts). */
import type { ReviewStore } from '../../shared/store/review-store.ts';
import type { EscalationHook, TaskCallbacks } from '../../shared/workflow/review-steps.ts';
import type { SealingStepDeps } from '../../shared/workflow/sealing-steps.ts';

export interface ReviewPorts {
  reviews: ReviewStore;
  callbacks: TaskCallbacks;
  onEscalation?: EscalationHook;
}

/** What taskHandler hands a review step: the step dependencies, with the review ports if composed in. */
export type MaybeReviewDeps = SealingStepDeps & Partial<ReviewPorts>;

/** Fails loudly, at the first review, when the composition root left a port out. */
export function requirePorts<K extends 'reviews' | 'callbacks'>(deps: MaybeReviewDeps, ports: readonly K[]): MaybeReviewDeps & Pick<ReviewPorts, K> {
  const missing = ports.filter((port) => deps[port] === undefined);
  if (missing.length > 0) {
    throw new Error(`the step dependencies lack ${missing.map((port) => `'${port}'`).join(' and ')}; expected awsStepDeps (functions/compose.ts) to provide them`);
  }
  return deps as MaybeReviewDeps & Pick<ReviewPorts, K>;
}
