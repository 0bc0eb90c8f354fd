/** Decision rules: a petition type's rules evaluated against the facts of one petition. Pure. */
import type { Comparison, Condition, PetitionType, Scalar } from '../catalog/schema.ts';
import { isCalendarDate } from './fields.ts';
import type { Decision } from './model.ts';

export interface DecisionFacts {
  fields: Record<string, unknown>;
  /** Retrieved documents' fields, by evidence id. */
  evidence: Record<string, Record<string, unknown>>;
  applicant: { birthDate: string };
}

const seoulDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date of `now` in Korea, `YYYY-MM-DD`. */
export const seoulDate = (now: Date): string => seoulDay.format(now);

/**
 * International age (만 나이) on `now`'s date in Asia/Seoul; undefined for a birth date that is
 * not a calendar date. A 29 February birthday counts from 1 March in common years (민법 §160③).
 */
export const internationalAge = (birthDate: string, now: Date): number | undefined => {
  if (!isCalendarDate(birthDate)) return undefined;
  const [y, m, d] = seoulDate(now).split('-').map(Number) as [number, number, number];
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
};

type Facts = Record<string, unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a dotted fact path; own properties only, and null counts as absent. */
const read = (facts: Facts, path: string): unknown => {
  let current: unknown = facts;
  for (const key of path.split('.')) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current ?? undefined;
};

const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

// Agencies and citizens may send the same Korean text composed or decomposed: compare it composed.
const same = (a: Scalar, b: Scalar): boolean =>
  typeof a === 'string' && typeof b === 'string' ? a.normalize('NFC') === b.normalize('NFC') : a === b;

const ordered = (a: Scalar, b: Scalar): number | undefined => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    const [x, y] = [a.normalize('NFC'), b.normalize('NFC')];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return undefined;
};

const compare = (c: Comparison, facts: Facts): boolean => {
  const actual = read(facts, c.fact);
  if (c.op === 'exists') return actual !== undefined;
  if (!isScalar(actual)) return false;
  if (c.op === 'in') return Array.isArray(c.value) && c.value.some((v) => same(actual, v));

  let expected: unknown = c.valueFact === undefined ? c.value : read(facts, c.valueFact);
  if (c.factor !== undefined) expected = typeof expected === 'number' ? expected * c.factor : undefined;
  if (!isScalar(expected)) return false;

  if (c.op === 'eq') return same(actual, expected);
  if (c.op === 'ne') return !same(actual, expected);
  const order = ordered(actual, expected);
  if (order === undefined) return false;
  switch (c.op) {
    case 'lt':
      return order < 0;
    case 'lte':
      return order <= 0;
    case 'gt':
      return order > 0;
    case 'gte':
      return order >= 0;
  }
};

/** A comparison with a missing fact is false (only `exists` looks at absence). */
const holds = (condition: Condition, facts: Facts): boolean => {
  if ('all' in condition) return condition.all.every((c) => holds(c, facts));
  if ('any' in condition) return condition.any.some((c) => holds(c, facts));
  if ('not' in condition) return !holds(condition.not, facts);
  return compare(condition, facts);
};

/**
 * Evaluates every rule: any matching reject rule rejects (with all their reasons), else any
 * matching review rule sends the petition to review, else it is approved.
 */
export const decide = (type: PetitionType, facts: DecisionFacts, now: Date): Decision => {
  const context: Facts = {
    fields: facts.fields,
    evidence: facts.evidence,
    applicant: { birthDate: facts.applicant.birthDate, age: internationalAge(facts.applicant.birthDate, now) },
  };
  const matching = type.rules.filter((rule) => holds(rule.when, context));
  const rejects = matching.filter((rule) => rule.outcome === 'reject');
  const reviews = matching.filter((rule) => rule.outcome === 'review');
  const [outcome, reasons] = rejects.length > 0 ? (['reject', rejects] as const) : reviews.length > 0 ? (['review', reviews] as const) : (['approve', []] as const);
  return {
    outcome,
    reasons: reasons.map((rule) => ({ ruleId: rule.id, ko: rule.reason.ko, en: rule.reason.en })),
    decidedAt: now.toISOString(),
  };
};
