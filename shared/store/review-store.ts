/**
 * The recorded wait for a case officer (DESIGN §4, docs/adr/0006): one record per petition that the
 * rules sent to review. It says since when and until when the petition waits, how often the deadline
 * passed, and — once the handling agency decided — the decision, first writer wins. On AWS it also
 * holds the task token of the current wait, so the decision API can resume the execution.
 */

/** A case officer's decision as recorded with the review. */
export interface RecordedReviewDecision {
  outcome: 'approve' | 'reject';
  /** Why, in the officer's words (shown to the citizen). */
  reason: string;
  /** The agency that decided. */
  decidedBy: string;
  decidedAt: string;
}

export interface ReviewRecord {
  petitionId: string;
  requestedAt: string;
  /** Length of one wait in seconds: each escalation starts another wait this long. */
  waitSeconds: number;
  /** When the current wait ends (the type's deadline, moved on by each escalation). */
  deadlineAt: string;
  /** How many times the deadline passed and the review was escalated. */
  escalations: number;
  /** Step Functions' token of the current wait (AWS only; locally the wait is keyed by petition). */
  taskToken?: string;
  decision?: RecordedReviewDecision;
}

export type NewReview = Pick<ReviewRecord, 'petitionId' | 'requestedAt' | 'waitSeconds' | 'deadlineAt'>;

/** Persistence port of review records. Adapter: DynamoDB single table (dynamo-review-store.ts). */
export interface ReviewStore {
  /** Records that the petition waits for review; the first record wins and is returned. */
  open(review: NewReview): Promise<ReviewRecord>;
  get(petitionId: string): Promise<ReviewRecord | undefined>;
  /**
   * Records the decision unless one is recorded already (or the petition never waited for review):
   * the first decision wins. Returns whether this one was recorded, and the record as it stands.
   */
  recordDecision(petitionId: string, decision: RecordedReviewDecision): Promise<{ recorded: true; review: ReviewRecord } | { recorded: false; review?: ReviewRecord }>;
  /** Keeps the task token of the wait that just began (replacing the previous wait's); returns the record. */
  attachTaskToken(petitionId: string, taskToken: string): Promise<ReviewRecord>;
  /**
   * Starts the wait after escalation number `from + 1` with a new deadline, unless another copy of
   * the step did already or a decision was recorded; returns the record as it stands.
   */
  escalate(petitionId: string, change: { from: number; deadlineAt: string }): Promise<ReviewRecord>;
}
