import type { PetitionStatus } from '../petition/model.ts';
import { canonicalDigest } from '../petition/digest.ts';
import type { PetitionStore } from '../store/ports.ts';

export interface JournalContext {
  store: PetitionStore;
  clock: () => Date;
}

/**
 * Runs one workflow step at most once per (petition, state, input): a step that already finished
 * returns its recorded result without acting again. This is what makes the local runner durable by
 * replay (DESIGN §4) and makes a Step Functions retry of a finished Lambda harmless on AWS.
 *
 * `status` is the status the petition enters while the step runs (announced again on replay, a no-op).
 */
export async function journaledStep<I extends { petitionId: string }, O>(
  ctx: JournalContext,
  state: string,
  status: PetitionStatus | undefined,
  input: I,
  work: () => Promise<O>,
  label?: string,
): Promise<O> {
  const stepKey = `${state}#${canonicalDigest(input)}`;
  const recorded = await ctx.store.getStepRecord(input.petitionId, stepKey);
  if (recorded) return recorded.result as O;

  if (status) await ctx.store.transition(input.petitionId, status);
  const startedAt = ctx.clock().toISOString();
  let result: O;
  try {
    result = await work();
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    await ctx.store.appendTimeline(input.petitionId, { at: ctx.clock().toISOString(), state, kind: 'step-failed', detail: `${label ? `${label}: ` : ''}${name}: ${message}` });
    throw error;
  }
  // First writer wins: if a concurrent duplicate recorded first, its result is the one that counts.
  const winner = await ctx.store.putStepRecord({
    petitionId: input.petitionId,
    stepKey,
    state,
    ...(label ? { label } : {}),
    startedAt,
    finishedAt: ctx.clock().toISOString(),
    result: result ?? null,
  });
  return winner.result as O;
}
