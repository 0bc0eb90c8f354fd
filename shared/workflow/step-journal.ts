import { auditEvents } from '../audit/events.ts';
import type { AuditRecorder } from '../audit/ports.ts';
import { PetitionNotFoundError } from '../errors.ts';
import { canonicalDigest } from '../petition/digest.ts';
import type { Petition, PetitionStatus } from '../petition/model.ts';
import { canTransition } from '../petition/status.ts';
import type { PetitionStore } from '../store/ports.ts';

export interface JournalContext {
  store: PetitionStore;
  clock: () => Date;
  /** The audit trail: every status change is recorded in it (docs/adr/0008). */
  audit: AuditRecorder;
}

/**
 * Moves the petition to `to`, recording the change in the audit trail first — as outcomes are
 * announced first: a crash in between leaves the petition where it was (still active, so replayed)
 * and the replay records the same status record (same id) again, a no-op. Leaving RECEIVED also
 * records the submission, at its time: the first step is replayed, an API request is not.
 */
export async function recordedTransition(
  ctx: JournalContext,
  petition: Petition,
  to: PetitionStatus,
  patch: Pick<Partial<Petition>, 'decision' | 'failure'> = {},
): Promise<Petition> {
  if (petition.status === to) return petition;
  // A move the status machine refuses is refused by the store below; it must not leave a record of a status never reached.
  if (!canTransition(petition.status, to)) return ctx.store.transition(petition.id, to, patch, petition);
  // Independent writes (each first-writer-wins by id): in parallel, off the step's critical path.
  await Promise.all([
    petition.status === 'RECEIVED' ? ctx.audit.record(auditEvents.status(petition.id, 'RECEIVED', petition.createdAt)) : undefined,
    ctx.audit.record(auditEvents.status(petition.id, to, ctx.clock())),
  ]);
  return ctx.store.transition(petition.id, to, patch, petition);
}

export interface StepDefinition<I extends { petitionId: string }> {
  /** The Task state's name: part of the journal key. */
  state: string;
  /** The status the petition enters while the step runs (a no-op when it already has it). */
  status?: PetitionStatus;
  /** The step's input as the workflow gave it: hashed into the journal key. */
  input: I;
  /** What the step acted on, for the timeline (e.g. which document); never personal data. */
  label?: string;
}

/**
 * Runs one workflow step at most once per (petition, state, input): a step that already finished
 * returns its recorded result without acting again. This is what makes the local runner durable by
 * replay (DESIGN §4) and makes a Step Functions retry of a finished Lambda harmless on AWS.
 * The petition and the step record are read in one request; `work` receives the petition.
 */
export async function journaledStep<I extends { petitionId: string }, O>(
  ctx: JournalContext,
  step: StepDefinition<I>,
  work: (petition: Petition) => Promise<O>,
): Promise<O> {
  const { petitionId } = step.input;
  const stepKey = `${step.state}#${canonicalDigest(step.input)}`;
  const recorded = await ctx.store.getPetitionAndStep(petitionId, stepKey);
  if (recorded.step) return recorded.step.result as O;
  let petition = recorded.petition;
  if (!petition) throw new PetitionNotFoundError(`no petition with id '${petitionId}'`);

  // On replay the petition may already be past this step's status (the step moved it on, then the
  // process died before the record was written): then it stays where it is.
  if (step.status && petition.status !== step.status && canTransition(petition.status, step.status)) {
    petition = await recordedTransition(ctx, petition, step.status);
  }
  const startedAt = ctx.clock().toISOString();
  let result: O;
  try {
    result = await work(petition);
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    const detail = `${step.label ? `${step.label}: ` : ''}${name}: ${message}`;
    await ctx.store.appendTimeline(petitionId, { at: ctx.clock().toISOString(), state: step.state, kind: 'step-failed', detail });
    throw error;
  }
  // First writer wins: if a concurrent duplicate recorded first, its result is the one that counts.
  const winner = await ctx.store.putStepRecord({
    petitionId,
    stepKey,
    state: step.state,
    ...(step.label ? { label: step.label } : {}),
    startedAt,
    finishedAt: ctx.clock().toISOString(),
    result: result ?? null,
  });
  return winner.result as O;
}
