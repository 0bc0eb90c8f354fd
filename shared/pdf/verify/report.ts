/**
 * Collects the checks of one verification and derives its conclusion: the worst failure
 * (TOTAL_FAILED over INDETERMINATE), the first one in check order among equals — the order of
 * ETSI EN 319 102-1's building blocks (format, signing certificate, cryptography, chain, time,
 * revocation), so the sub-indication names the most basic problem.
 */
import { severity, type Check, type Conclusion, type FailedSubIndication, type IndeterminateSubIndication } from './verdict.ts';

export type Failure =
  | { readonly indication: 'TOTAL_FAILED'; readonly subIndication: FailedSubIndication }
  | { readonly indication: 'INDETERMINATE'; readonly subIndication: IndeterminateSubIndication };

export const failed = (subIndication: FailedSubIndication): Failure => ({ indication: 'TOTAL_FAILED', subIndication });
export const indeterminate = (subIndication: IndeterminateSubIndication): Failure => ({ indication: 'INDETERMINATE', subIndication });

export class CheckReport {
  readonly checks: Check[] = [];
  private worst: Conclusion | undefined;

  pass(name: string, detail: string): void {
    this.checks.push({ name, ok: true, detail });
  }

  /** A failed check; with `failure` it also bears on the conclusion (else it is a note). */
  fail(name: string, detail: string, failure?: Failure): void {
    this.checks.push({ name, ok: false, detail });
    if (failure) this.bear(failure, detail);
  }

  /** Lets an earlier, noted check bear on the conclusion now: later than the checks that outrank it in ETSI order. */
  bear(failure: Failure, reason: string): void {
    const conclusion = { ...failure, reason } as Conclusion;
    if (!this.worst || severity(conclusion) > severity(this.worst)) this.worst = conclusion;
  }

  /** Whether a failure bearing on the conclusion was recorded. */
  get failing(): boolean {
    return this.worst !== undefined;
  }

  /** The conclusion: the worst failure, or TOTAL_PASSED with `passed` as its reason. */
  conclusion(passed: string): Conclusion {
    return this.worst ?? { indication: 'TOTAL_PASSED', reason: passed };
  }
}
