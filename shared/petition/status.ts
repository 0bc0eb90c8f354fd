import type { PetitionStatus } from './model.ts';

/**
 * Which status may follow which. A transition to the current status is a no-op, never an error,
 * so a replayed step (DESIGN §4) can announce its status again.
 */
const NEXT: Record<PetitionStatus, readonly PetitionStatus[]> = {
  RECEIVED: ['VERIFYING_IDENTITY', 'FAILED', 'REJECTED'],
  VERIFYING_IDENTITY: ['RETRIEVING_EVIDENCE', 'DECIDING', 'REJECTED', 'FAILED'],
  RETRIEVING_EVIDENCE: ['DECIDING', 'REJECTED', 'FAILED'],
  DECIDING: ['AWAITING_REVIEW', 'SEALING', 'DELIVERING', 'COMPLETED', 'REJECTED', 'FAILED'],
  AWAITING_REVIEW: ['SEALING', 'DELIVERING', 'COMPLETED', 'REJECTED', 'FAILED'],
  SEALING: ['DELIVERING', 'COMPLETED', 'REJECTED', 'FAILED'],
  DELIVERING: ['COMPLETED', 'REJECTED', 'FAILED'],
  COMPLETED: [],
  REJECTED: [],
  FAILED: [],
};

/** True when a petition in `from` may move to `to`. */
export const canTransition = (from: PetitionStatus, to: PetitionStatus): boolean => NEXT[from].includes(to);

/** Statuses from which `to` may be reached (used as a store write condition). */
export const predecessorsOf = (to: PetitionStatus): PetitionStatus[] =>
  (Object.keys(NEXT) as PetitionStatus[]).filter((from) => NEXT[from].includes(to));
