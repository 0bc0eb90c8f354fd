/**
 * The retry schedule of the Standard Webhooks spec (the one Svix documents): attempt 1 at once, then
 * after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h — ten attempts over about 75 h 35 min.
 *
 * Each delay is spread by ±10 % (uniform) so that the backlog of an endpoint that was down does not
 * come back as one burst: messages that failed in the same second are retried across a window
 * (±30 s at the 5 min step, ±2.4 h at the 24 h step). The spread makes the last attempt land between
 * about 68 h and 83 h after the first.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delay before attempt n + 1 (index n): index 0 is the first, immediate attempt. */
export const RETRY_DELAYS_MS: readonly number[] = [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR];

/** Attempts per series; after the last one fails the delivery is dead-lettered. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length;

/** Each delay is multiplied by 1 ± this fraction (uniformly spread). */
export const JITTER_FRACTION = 0.1;

/** A Retry-After beyond this is read as this: an endpoint cannot park a message beyond the schedule's longest step. */
export const MAX_RETRY_AFTER_MS = 24 * HOUR;

/**
 * When the attempt after `failedAttempt` (1-based) is due, for an attempt that failed at `failedAt`;
 * undefined when the schedule is exhausted. `random` in [0, 1) picks the jitter (0.5 = none);
 * `retryAfterMs` (from the endpoint's Retry-After) is a lower bound, capped at MAX_RETRY_AFTER_MS.
 */
export const nextAttemptAt = (failedAttempt: number, failedAt: Date, options: { random: number; retryAfterMs?: number }): Date | undefined => {
  if (!Number.isInteger(failedAttempt) || failedAttempt < 1) throw new RangeError(`attempt number is ${failedAttempt}; expected an integer ≥ 1`);
  if (!(options.random >= 0 && options.random < 1)) throw new RangeError(`random is ${options.random}; expected a number in [0, 1)`);
  const delay = RETRY_DELAYS_MS[failedAttempt];
  if (delay === undefined) return undefined;
  const jittered = Math.round(delay * (1 + JITTER_FRACTION * (2 * options.random - 1)));
  const floor = Math.min(Math.max(options.retryAfterMs ?? 0, 0), MAX_RETRY_AFTER_MS);
  return new Date(failedAt.getTime() + Math.max(jittered, floor));
};

/**
 * Reads a Retry-After header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) as milliseconds from
 * `now`, capped at MAX_RETRY_AFTER_MS; undefined when absent or unreadable (then the schedule alone rules).
 */
export const parseRetryAfter = (value: string | undefined, now: Date): number | undefined => {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * SECOND, MAX_RETRY_AFTER_MS);
  // Only the IMF-fixdate form is current; Date.parse also reads the two obsolete forms.
  if (!/^[A-Za-z]{3},? /.test(text) && !/^[A-Za-z]+day, /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - now.getTime(), 0), MAX_RETRY_AFTER_MS);
};
