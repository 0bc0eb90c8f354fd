import { PetitionNotFoundError } from '../errors.ts';
import { canonicalDigest } from '../petition/digest.ts';
import type { Petition, PetitionStatus } from '../petition/model.ts';
import { canTransition } from '../petition/status.ts';
import type { PetitionStore } from '../store/ports.ts';

export interface JournalContext {
  store: PetitionStore;
  clock: () => Date;
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
    petition = await ctx.store.transition(petitionId, step.status, {}, petition);
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
