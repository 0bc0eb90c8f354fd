/**
 * Case-officer review (docs/adr/0006). RequestReview records the wait and moves the petition to
 * AWAITING_REVIEW; the handling agency's decision ends it, first decision wins; EscalateReview runs
 * each time the type's deadline passes and starts the next wait. On AWS the execution pauses on a
 * task token that the decision API completes (SendTaskSuccess); locally infra/local/review-gate.ts
 * waits in process on the same record, so a restart finds the wait, and a decision, where it left them.
 */
import { PetitionNotFoundError } from '../errors.ts';
import type { Catalog } from '../catalog/load.ts';
import type { Decision } from '../petition/model.ts';
import type { RecordedReviewDecision, ReviewRecord, ReviewStore } from '../store/review-store.ts';
import { journaledStep, recordedTransition, type JournalContext } from './step-journal.ts';
import type { PetitionRef, StepDeps } from './steps.ts';

/** Resumes a paused Step Functions task. Adapter: SfnTaskCallbacks (sfn-review-decisions.ts). */
export interface TaskCallbacks {
  /** Completes the task with `output`; `'stale'` when the token's wait already ended (completed, timed out, gone). */
  succeed(taskToken: string, output: unknown): Promise<'sent' | 'stale'>;
}

/** A case officer's decision on one petition, as the agency API hands it on. */
export interface CaseOfficerDecision extends RecordedReviewDecision {
  petitionId: string;
}

/** Called once per passed deadline, before the next wait starts (the outbox hook for agency events). */
export type EscalationHook = (petitionId: string, escalation: number) => Promise<void> | void;

export interface ReviewStepDeps extends JournalContext {
  reviews: ReviewStore;
  /** Announces `review_requested` to the handling agency (petition-events.ts) before the status changes. */
  announce?: StepDeps['announce'];
  catalog?: Catalog;
}
export interface EscalationDeps extends ReviewStepDeps {
  onEscalation?: EscalationHook;
}

/** RequestReview's payload (workflows/petition-workflow.ts): the rules' decision, the wait, the task token. */
export interface ReviewRequest extends PetitionRef {
  decision: Decision;
  /** One wait, in seconds: VerifyIdentity's reviewDeadlineSeconds, the same value the state's TimeoutSecondsPath reads. */
  reviewDeadlineSeconds: number;
  taskToken: string;
}

/** The officer's decision as the workflow carries it on in `$.decision`: the reason becomes the decision's one reason. */
export type ReviewedDecision = Decision & { decidedBy: string };

/** The reviewer's decision in the shape of the rules' one, so rendering and concluding need not tell them apart. */
export const reviewedDecision = (decision: RecordedReviewDecision): ReviewedDecision => ({
  outcome: decision.outcome,
  reasons: [{ ruleId: 'case-officer', ko: decision.reason, en: decision.reason }],
  decidedAt: decision.decidedAt,
  decidedBy: decision.decidedBy,
});

/**
 * The part of RequestReview that acts, once per petition (journaled): records the wait, then moves
 * the petition to AWAITING_REVIEW with the rules' decision. In that order, so a decision the API
 * accepts for an AWAITING_REVIEW petition always finds the record.
 */
export const openReview = (input: Omit<ReviewRequest, 'taskToken'>, deps: ReviewStepDeps): Promise<{ requestedAt: string; deadlineAt: string }> =>
  journaledStep(deps, { state: 'RequestReview', input: { petitionId: input.petitionId } }, async (petition) => {
    const seconds = input.reviewDeadlineSeconds;
    if (typeof seconds !== 'number' || !(seconds > 0)) {
      throw new RangeError(`petition '${petition.id}': review deadline is ${String(seconds)} seconds; expected a positive number (VerifyIdentity's reviewDeadlineSeconds)`);
    }
    const now = deps.clock();
    const review = await deps.reviews.open({
      petitionId: petition.id,
      requestedAt: now.toISOString(),
      waitSeconds: seconds,
      deadlineAt: new Date(now.getTime() + seconds * 1000).toISOString(),
    });
    const type = deps.catalog?.petitionTypes.get(petition.type);
    if (type && deps.announce) await deps.announce(petition, type, 'review_requested', 'AWAITING_REVIEW');
    await recordedTransition(deps, petition, 'AWAITING_REVIEW', { decision: input.decision });
    return { requestedAt: review.requestedAt, deadlineAt: review.deadlineAt };
  });

/**
 * RequestReview on AWS (the Lambda behind `lambda:invoke.waitForTaskToken`): opens the review and
 * keeps this wait's task token with it. Its return value is ignored; the execution resumes when the
 * decision API sends the decision with the token — or here, at once, when a decision was recorded
 * before this wait began (during an escalation, or while the previous token went stale).
 */
export async function requestReview(input: ReviewRequest, deps: ReviewStepDeps & { callbacks: TaskCallbacks }): Promise<{ status: 'AWAITING_REVIEW' }> {
  await openReview(input, deps);
  // Token and decision are each one conditional write on the same item, so whichever lands second
  // sees the other: either the decision API finds this token, or this finds the decision.
  const review = await deps.reviews.attachTaskToken(input.petitionId, input.taskToken);
  if (review.decision) await deps.callbacks.succeed(input.taskToken, reviewedDecision(review.decision));
  return { status: 'AWAITING_REVIEW' };
}

/**
 * EscalateReview: the review's deadline passed (States.Timeout). The type's escalation path (the only
 * one the catalog knows, `onDeadline: 'escalate'`) tells the outbox, then starts a new wait of the
 * same length; the workflow returns to RequestReview. Journaled per escalation number, so a replay
 * neither escalates twice nor forgets a later escalation.
 */
export async function escalateReview(input: PetitionRef, deps: EscalationDeps): Promise<Pick<ReviewRecord, 'escalations' | 'deadlineAt'>> {
  const review = await deps.reviews.get(input.petitionId);
  if (!review) throw new PetitionNotFoundError(`petition '${input.petitionId}' has no review record; expected RequestReview to have opened one before its deadline passed`);
  // Decided just as the deadline passed: nothing to escalate, the next RequestReview resumes at once.
  if (review.decision) return { escalations: review.escalations, deadlineAt: review.deadlineAt };
  const escalation = review.escalations + 1;
  return journaledStep(deps, { state: 'EscalateReview', input: { petitionId: input.petitionId, escalation }, label: `review deadline passed, escalation ${escalation}` }, async (petition) => {
    // The hook runs before the new deadline is written: after a crash in between the wait is still
    // overdue, so the replay escalates again (at least once; the escalation number lets the outbox dedupe).
    await deps.onEscalation?.(petition.id, escalation);
    const now = deps.clock();
    const updated = await deps.reviews.escalate(petition.id, { from: review.escalations, deadlineAt: new Date(now.getTime() + review.waitSeconds * 1000).toISOString() });
    return { escalations: updated.escalations, deadlineAt: updated.deadlineAt };
  });
}
