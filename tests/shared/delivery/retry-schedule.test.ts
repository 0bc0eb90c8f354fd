import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JITTER_FRACTION, MAX_ATTEMPTS, MAX_RETRY_AFTER_MS, RETRY_DELAYS_MS, nextAttemptAt, parseRetryAfter } from '../../../shared/delivery/retry-schedule.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const failedAt = new Date('2030-01-01T00:00:00.000Z');
const delayAfter = (attempt: number, options: { random: number; retryAfterMs?: number }) => {
  const next = nextAttemptAt(attempt, failedAt, options);
  return next && next.getTime() - failedAt.getTime();
};

describe('retry schedule', () => {
  it('follows the Standard Webhooks schedule without jitter when random is 0.5', () => {
    const delays = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => delayAfter(i + 1, { random: 0.5 }));

    expect(delays).toEqual([5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR]);
  });

  it('gives up after the tenth attempt', () => {
    expect(MAX_ATTEMPTS).toBe(10);
    expect(nextAttemptAt(10, failedAt, { random: 0.5 })).toBeUndefined();
  });

  it('keeps every delay within ±10 % of the nominal one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_ATTEMPTS - 1 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, random) => {
        const nominal = RETRY_DELAYS_MS[attempt]!;
        const delay = delayAfter(attempt, { random })!;
        expect(delay).toBeGreaterThanOrEqual(Math.round(nominal * (1 - JITTER_FRACTION)));
        expect(delay).toBeLessThanOrEqual(Math.round(nominal * (1 + JITTER_FRACTION)));
      }),
    );
  });

  it('spreads retries: the extremes of random give the extremes of the window', () => {
    expect(delayAfter(9, { random: 0 })).toBe(24 * HOUR * 0.9);
    expect(delayAfter(9, { random: 0.999999 })).toBeCloseTo(24 * HOUR * 1.1, -3);
  });

  it('treats Retry-After as a lower bound, never as a way to retry sooner', () => {
    expect(delayAfter(1, { random: 0.5, retryAfterMs: 120 * SECOND })).toBe(120 * SECOND);
    expect(delayAfter(3, { random: 0.5, retryAfterMs: 1 * SECOND })).toBe(30 * MINUTE);
  });

  it('caps Retry-After at 24 hours', () => {
    expect(delayAfter(1, { random: 0.5, retryAfterMs: 72 * HOUR })).toBe(MAX_RETRY_AFTER_MS);
  });

  it('refuses an attempt number below 1 and a random outside [0, 1)', () => {
    expect(() => nextAttemptAt(0, failedAt, { random: 0.5 })).toThrow(/attempt number is 0/);
    expect(() => nextAttemptAt(1, failedAt, { random: 1 })).toThrow(/random is 1/);
  });
});

describe('Retry-After', () => {
  const now = new Date('2030-01-01T00:00:00.000Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120 * SECOND);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now', () => {
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:10:00 GMT', now)).toBe(10 * MINUTE);
    expect(parseRetryAfter(new Date(now.getTime() + 90 * MINUTE).toUTCString(), now)).toBe(90 * MINUTE);
  });

  it('reads a date in the past as no delay', () => {
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
  });

  it('caps both forms at 24 hours', () => {
    expect(parseRetryAfter(String(7 * 24 * 3600), now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 04 Jan 2030 00:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('ignores what is neither form', () => {
    for (const value of [undefined, '', 'soon', '-5', '1.5', '2030-01-01T00:10:00Z']) expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
