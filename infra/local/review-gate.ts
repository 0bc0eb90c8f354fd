/**
 * The local counterpart of `.waitForTaskToken` (docs/adr/0006): RequestReview as a recorded wait.
 * aws-local-stepfunctions cannot pause on a token, so the RequestReview Task function itself waits —
 * after the journaled step has recorded the review — until a decision is recorded for the petition,
 * and resolves with it. Nothing lives only in memory: after a restart the runner replays the petition
 * (AWAITING_REVIEW is not terminal), the step finds the recorded review and waits again, or resolves
 * at once with a decision recorded meanwhile. The deadline is read on the injected clock; when it
 * has passed, the wait throws `States.Timeout`, which the definition's Catch sends to EscalateReview.
 */
import type { ReviewDecisions } from '../../functions/api/agency-deps.ts';
import { PetitionNotFoundError } from '../../shared/errors.ts';
import type { RecordedReviewDecision, ReviewStore } from '../../shared/store/review-store.ts';
import type { PetitionStore } from '../../shared/store/ports.ts';
import {
  escalateReview,
  openReview,
  reviewedDecision,
  type CaseOfficerDecision,
  type EscalationHook,
  type ReviewedDecision,
  type ReviewRequest,
} from '../../shared/workflow/review-steps.ts';
import type { PetitionRef, StepDeps } from '../../shared/workflow/steps.ts';
import type { Catalog } from '../../shared/catalog/load.ts';
import type { AuditRecorder } from '../../shared/audit/ports.ts';

/** The review's deadline passed. Named like Step Functions' own timeout so the one Catch handles both. */
export class ReviewDeadlinePassedError extends Error {
  override readonly name = 'States.Timeout';
}

/** The gate closed while a petition waited (the platform is stopping); the wait resumes at the next start. */
export class ReviewWaitAbandonedError extends Error {
  override readonly name = 'ReviewWaitAbandonedError';
}

export interface LocalReviewGateOptions {
  store: PetitionStore;
  reviews: ReviewStore;
  clock: () => Date;
  /** The audit trail: the move to AWAITING_REVIEW is recorded in it. */
  audit: AuditRecorder;
  /**
   * Multiplies each review's wait (the type's deadline) locally: demos and tests shorten days to
   * seconds. The runner's own task timeout keeps the unscaled value and so never fires first.
   * @default 1
   */
  deadlineScale?: number;
  /**
   * How often (ms) a waiting review compares its deadline with the clock and re-reads its record.
   * A decision taken through this gate wakes the wait at once; this bounds how late a deadline on a
   * moved clock, or a decision recorded by another process, is noticed.
   * @default 1000
   */
  checkIntervalMs?: number;
  /** The outbox hook of EscalateReview. */
  onEscalation?: EscalationHook;
  /** Announces the review request to the handling agency (petition-events.ts). */
  announce?: StepDeps['announce'];
  catalog?: Catalog;
}

/** RequestReview's input as the runner hands it: the LambdaInvoke Parameters, `{ FunctionName, Payload }`. */
type InvokeParameters = { Payload: ReviewRequest } | ReviewRequest;

export interface LocalReviewGate {
  /** The RequestReview Task function: records the review, then resolves with the officer's decision. */
  requestReviewTask(input: InvokeParameters): Promise<ReviewedDecision>;
  /** The EscalateReview Task function. */
  escalateReviewTask(input: PetitionRef): Promise<unknown>;
  /** The agency API's ReviewDecisions port (functions/api/agency-deps.ts). */
  decisions: LocalReviewDecisions;
  /** Petitions whose RequestReview is waiting in this process. */
  readonly waiting: number;
  /**
   * Ends every wait with ReviewWaitAbandonedError and refuses new ones. Call it after the runner has
   * aborted its executions (their next state is then never entered) and before awaiting the runner's
   * drain, which otherwise waits for the reviews forever.
   */
  close(): Promise<void>;
}

/** ReviewDecisions locally: records the decision, first writer wins, then wakes the waiting step. */
export class LocalReviewDecisions implements ReviewDecisions {
  constructor(
    private readonly reviews: ReviewStore,
    private readonly wake: (petitionId: string) => void,
  ) {}

  /** Records the decision (first wins) and resumes the petition's wait. */
  async decide(decision: CaseOfficerDecision): Promise<'accepted' | 'already-decided'> {
    const { petitionId, outcome, reason, decidedBy, decidedAt } = decision;
    const result = await this.reviews.recordDecision(petitionId, { outcome, reason, decidedBy, decidedAt });
    if (!result.recorded) return 'already-decided';
    this.wake(petitionId);
    return 'accepted';
  }
}

interface Sleeper {
  wake: () => void;
  abandon: (error: Error) => void;
}

/** Builds the local review gate: the two review Task functions and the decision port, over one store. */
export function createLocalReviewGate(options: LocalReviewGateOptions): LocalReviewGate {
  const scale = options.deadlineScale ?? 1;
  if (!(scale > 0)) throw new RangeError(`deadlineScale is ${scale}; expected a positive number`);
  const checkIntervalMs = options.checkIntervalMs ?? 1000;
  const deps = {
    store: options.store,
    reviews: options.reviews,
    clock: options.clock,
    audit: options.audit,
    ...(options.onEscalation ? { onEscalation: options.onEscalation } : {}),
    ...(options.announce ? { announce: options.announce } : {}),
    ...(options.catalog ? { catalog: options.catalog } : {}),
  };
  const sleepers = new Map<string, Set<Sleeper>>();
  let closed = false;

  const wake = (petitionId: string) => {
    for (const sleeper of sleepers.get(petitionId) ?? []) sleeper.wake();
  };

  /** Resolves after `ms`, on a decision for the petition, or rejects when the gate closes. */
  const pause = (petitionId: string, ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (closed) {
        reject(abandoned(petitionId));
        return;
      }
      const set = sleepers.get(petitionId) ?? new Set<Sleeper>();
      sleepers.set(petitionId, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(sleeper);
        if (set.size === 0 && sleepers.get(petitionId) === set) sleepers.delete(petitionId);
      };
      const sleeper: Sleeper = {
        wake: () => {
          done();
          resolve();
        },
        abandon: (error) => {
          done();
          reject(error);
        },
      };
      const timer = setTimeout(sleeper.wake, ms);
      set.add(sleeper);
    });

  const abandoned = (petitionId: string) => new ReviewWaitAbandonedError(`the review of petition '${petitionId}' stopped waiting because the platform is stopping; the next start resumes it`);

  /** Waits until the review has a decision (resolves with it) or its deadline has passed (throws States.Timeout). */
  const decisionOf = async (petitionId: string): Promise<RecordedReviewDecision> => {
    for (;;) {
      if (closed) throw abandoned(petitionId);
      const review = await options.reviews.get(petitionId);
      if (!review) throw new PetitionNotFoundError(`petition '${petitionId}' has no review record; expected RequestReview to have opened one`);
      // A decision counts even when it came as the deadline passed: it is checked first.
      if (review.decision) return review.decision;
      const now = options.clock();
      const remaining = Date.parse(review.deadlineAt) - now.getTime();
      if (remaining <= 0) {
        throw new ReviewDeadlinePassedError(`the review of petition '${petitionId}' was due by ${review.deadlineAt} (escalations so far: ${review.escalations}); it is ${now.toISOString()} and no decision was recorded`);
      }
      await pause(petitionId, Math.min(remaining, checkIntervalMs));
    }
  };

  return {
    async requestReviewTask(input) {
      const request = 'Payload' in input ? input.Payload : input;
      if (closed) throw abandoned(request.petitionId);
      await openReview({ petitionId: request.petitionId, decision: request.decision, reviewDeadlineSeconds: request.reviewDeadlineSeconds * scale }, deps);
      return reviewedDecision(await decisionOf(request.petitionId));
    },
    escalateReviewTask: (input) => escalateReview({ petitionId: input.petitionId }, deps),
    decisions: new LocalReviewDecisions(options.reviews, wake),
    get waiting() {
      return sleepers.size;
    },
    async close() {
      closed = true;
      for (const [petitionId, set] of [...sleepers]) for (const sleeper of [...set]) sleeper.abandon(abandoned(petitionId));
    },
  };
}
