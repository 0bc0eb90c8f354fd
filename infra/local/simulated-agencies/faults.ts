/**
 * Fault injection for the simulated agencies, so every failure path of evidence retrieval runs
 * locally (DESIGN §7: failing agencies on purpose). Deterministic: the same plan fails the same
 * requests, so tests never flake on chance.
 */
import { z } from 'zod';

/** How a failing request fails. */
export type FaultMode =
  | 'none'
  /** Answer 500 with a problem document. */
  | 'http-500'
  /** Answer 503 with a problem document and Retry-After. */
  | 'http-503'
  /** Accept the request and never answer (until the agency closes). */
  | 'timeout'
  /** Destroy the socket without an answer. */
  | 'refuse'
  /** Answer 200 application/jose with a body that is not a JWS. */
  | 'malformed'
  /** Answer a well-formed document signed by a key the agency did not publish. */
  | 'bad-signature';

export interface FaultPlan {
  /** Delay before every document answer, failing or not. @default 0 */
  latencyMs?: number;
  /** Share of requests (0..1) that fail with `mode`, evenly spread over the sequence. @default 1 when a mode is set */
  failureRate?: number;
  /** @default 'none' */
  mode?: FaultMode;
  /** Fail only the first N requests (after this plan is set), then behave (or follow failureRate). */
  failFirst?: number;
}

export const faultPlanSchema = z.strictObject({
  latencyMs: z.number().int().nonnegative().optional(),
  failureRate: z.number().min(0).max(1).optional(),
  mode: z.enum(['none', 'http-500', 'http-503', 'timeout', 'refuse', 'malformed', 'bad-signature']).optional(),
  failFirst: z.number().int().nonnegative().optional(),
});

export interface FaultSchedule {
  readonly latencyMs: number;
  /** The fault for the next request: 'none' when it should be served normally. */
  next(): FaultMode;
}

/** Builds the request-by-request schedule of a plan; throws on an invalid plan (fail at start, not mid-test). */
export const createFaultSchedule = (plan: FaultPlan = {}): FaultSchedule => {
  const { latencyMs = 0, failureRate, mode = 'none', failFirst } = faultPlanSchema.parse(plan);
  let served = 0;
  const fails = (i: number): boolean => {
    if (failFirst !== undefined && i < failFirst) return true;
    if (failureRate === undefined) return failFirst === undefined;
    // Bresenham-style: request k fails when the running total of expected failures crosses an integer.
    const k = i - (failFirst ?? 0);
    return Math.floor((k + 1) * failureRate) > Math.floor(k * failureRate);
  };
  return {
    latencyMs,
    next: () => {
      const i = served++;
      return mode !== 'none' && fails(i) ? mode : 'none';
    },
  };
};
