import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPopulation, type Citizen } from '../../../infra/local/population.ts';
import { documentsOf } from '../../../infra/local/simulated-agencies/records.ts';
import { defaultTemplatesDir, loadCatalog, type Catalog } from '../../../shared/catalog/load.ts';
import type { Condition, PetitionType, Rule } from '../../../shared/catalog/schema.ts';
import { decide, internationalAge, type DecisionFacts } from '../../../shared/petition/rules.ts';

// ---- factories: facts as the workflow assembles them, from the simulated agencies' real records ----

const population = createPopulation({ size: 10 });
const citizen = (subject: string): Citizen => population.get(subject)!;

/** 2026-11-24 12:00 in Seoul. */
const NOW = new Date('2026-11-24T03:00:00Z');

/** Facts for `subject` filing `fields`: each document as the simulator issues it, cut to the fields the type requests. */
const factsFor = (type: PetitionType, subject: string, fields: Record<string, unknown>): DecisionFacts => {
  const evidence = Object.fromEntries(
    type.evidence.map((e) => {
      const lookupKey = e.lookup === 'applicant' ? subject : String(fields[e.lookup.slice('field:'.length)]);
      const record = documentsOf(e.agency).get(e.documentType)!.find(lookupKey, population, NOW);
      if (!record) throw new Error(`the simulated ${e.agency} has no ${e.documentType} for ${lookupKey}`);
      return [e.id, Object.fromEntries(e.fields.map((f) => [f, record[f]]))];
    }),
  );
  return { fields, evidence, applicant: { birthDate: citizen(subject).birthDate } };
};

const ruleIds = (type: PetitionType, facts: DecisionFacts, now = NOW) => decide(type, facts, now).reasons.map((r) => r.ruleId);

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog(defaultTemplatesDir);
});
const shipped = (id: string) => catalog.petitionTypes.get(id)!;

describe('the shipped examples', () => {
  it('approves the example of every petition type for its demo citizen', () => {
    for (const type of catalog.petitionTypes.values()) {
      // Arrange
      const facts = factsFor(type, type.example.subject, type.example.fields);

      // Act
      const decision = decide(type, facts, NOW);

      // Assert
      expect(decision, type.id).toEqual({ outcome: 'approve', reasons: [], decidedAt: NOW.toISOString() });
    }
  });
});

describe('basic pension (기초연금)', () => {
  const pension = () => shipped('basic-pension');
  const applyAs = (subject: string) => factsFor(pension(), subject, pension().example.fields);

  it('approves demo-kim-younghee: 72 years old, widowed, low income', () => {
    // Act
    const decision = decide(pension(), applyAs('demo-kim-younghee'), NOW);

    // Assert
    expect(decision.outcome).toBe('approve');
  });

  it('sends demo-lee-cheolsu to a case officer: couple income above 90% of the threshold', () => {
    // Act
    const decision = decide(pension(), applyAs('demo-lee-cheolsu'), NOW);

    // Assert
    expect(decision.outcome).toBe('review');
    expect(decision.reasons).toEqual([expect.objectContaining({ ruleId: 'income-borderline', en: expect.stringContaining('Borderline') })]);
  });

  it('rejects demo-park-jiwoo for age, and for income too', () => {
    // Act
    const decision = decide(pension(), applyAs('demo-park-jiwoo'), NOW);

    // Assert
    expect(decision.outcome).toBe('reject');
    expect(decision.reasons.map((r) => r.ruleId)).toEqual(['minimum-age', 'income-above-threshold']);
    expect(decision.reasons[0]!.ko).toContain('만 65세');
  });

  it.each([
    ['single', 2_223_000, 'approve'],
    ['single', 2_223_001, 'review'],
    ['single', 2_470_000, 'review'],
    ['single', 2_470_001, 'reject'],
    ['widowed', 2_470_001, 'reject'],
    ['married', 2_470_001, 'approve'],
    ['married', 3_556_801, 'review'],
    ['married', 3_952_000, 'review'],
    ['married', 3_952_001, 'reject'],
  ])('decides a %s applicant earning %i a month: %s', (maritalStatus, monthlyIncome, outcome) => {
    // Arrange
    const facts = applyAs('demo-kim-younghee');
    facts.evidence.familyRelations = { maritalStatus };
    facts.evidence.income = { monthlyIncome };

    // Act
    const decision = decide(pension(), facts, NOW);

    // Assert
    expect(decision.outcome).toBe(outcome);
  });

  it('counts age on the Seoul calendar: 65 from the first minute of the birthday in Korea', () => {
    // Arrange: 2026-03-15 00:00 in Seoul is still 14 March in UTC.
    const facts = { ...applyAs('demo-kim-younghee'), applicant: { birthDate: '1961-03-15' } };
    const birthdayInSeoul = new Date('2026-03-14T15:00:00Z');
    const lastMinuteBefore = new Date('2026-03-14T14:59:59Z');

    // Act + Assert
    expect(ruleIds(pension(), facts, lastMinuteBefore)).toEqual(['minimum-age']);
    expect(ruleIds(pension(), facts, birthdayInSeoul)).toEqual([]);
  });

  it('reviews an application when no income was reported', () => {
    // Arrange
    const facts = applyAs('demo-kim-younghee');
    facts.evidence.income = {};

    // Act
    const decision = decide(pension(), facts, NOW);

    // Assert
    expect(decision.outcome).toBe('review');
    expect(decision.reasons.map((r) => r.ruleId)).toEqual(['income-not-reported']);
  });
});

describe('move-in report (전입신고)', () => {
  const moveIn = () => shipped('move-in-report');
  const reportAs = (subject: string, change: Record<string, unknown> = {}) => factsFor(moveIn(), subject, { ...moveIn().example.fields, ...change });

  it('approves demo-park-jiwoo moving to a flat in Sejong', () => {
    // Act
    const decision = decide(moveIn(), reportAs('demo-park-jiwoo'), NOW);

    // Assert
    expect(decision.outcome).toBe('approve');
  });

  it('rejects a move to the address already registered', () => {
    // Arrange
    const facts = reportAs('demo-park-jiwoo', { newAddress: citizen('demo-park-jiwoo').address });

    // Act + Assert
    expect(ruleIds(moveIn(), facts)).toEqual(['same-address']);
  });

  it('rejects a move into a commercial building', () => {
    // Arrange
    const facts = reportAs('demo-park-jiwoo', { newAddress: '세종특별자치시 한누리대로 2150 상가동' });

    // Act + Assert
    expect(ruleIds(moveIn(), facts)).toEqual(['commercial-building']);
  });

  it('rejects a move-in date that is not after the current registration', () => {
    // Arrange
    const facts = reportAs('demo-park-jiwoo', { moveInDate: citizen('demo-park-jiwoo').moveInDate });

    // Act + Assert
    expect(ruleIds(moveIn(), facts)).toEqual(['move-in-before-current-registration']);
  });
});

describe('property transfer registration (소유권이전등기)', () => {
  const transfer = () => shipped('property-transfer-registration');
  const fileAs = (subject: string, change: Record<string, unknown> = {}) => factsFor(transfer(), subject, { ...transfer().example.fields, ...change });
  const officialPrice = () => fileAs('demo-park-jiwoo').evidence.landRecord!.officialPrice as number;

  it('approves demo-park-jiwoo buying demo-lee-cheolsu\'s parcel from him', () => {
    // Arrange
    const facts = fileAs('demo-park-jiwoo');
    expect(facts.evidence.landRecord!.ownerName).toBe(citizen('demo-lee-cheolsu').name);

    // Act
    const decision = decide(transfer(), facts, NOW);

    // Assert
    expect(decision.outcome).toBe('approve');
  });

  it('rejects a transfer from someone who does not own the parcel', () => {
    // Arrange
    const facts = fileAs('demo-park-jiwoo', { sellerName: '김영희' });

    // Act + Assert
    expect(ruleIds(transfer(), facts)).toEqual(['owner-mismatch']);
  });

  it('rejects when the land register names no owner', () => {
    // Arrange
    const facts = fileAs('demo-park-jiwoo');
    delete facts.evidence.landRecord!.ownerName;

    // Act + Assert
    expect(ruleIds(transfer(), facts)).toEqual(['owner-mismatch']);
  });

  it('matches the seller\'s name whether typed composed or decomposed', () => {
    // Arrange
    const facts = fileAs('demo-park-jiwoo', { sellerName: '이철수'.normalize('NFD') });

    // Act + Assert
    expect(decide(transfer(), facts, NOW).outcome).toBe('approve');
  });

  it('rejects demo-choi-minsu, who has tax arrears', () => {
    // Act
    const decision = decide(transfer(), fileAs('demo-choi-minsu'), NOW);

    // Assert
    expect(decision.outcome).toBe('reject');
    expect(decision.reasons.map((r) => r.ruleId)).toEqual(['tax-arrears']);
  });

  it('reviews a sale declared below half of the official land price', () => {
    // Arrange
    const facts = fileAs('demo-park-jiwoo', { price: Math.ceil(officialPrice() / 2) - 1 });

    // Act
    const decision = decide(transfer(), facts, NOW);

    // Assert
    expect(decision.outcome).toBe('review');
    expect(decision.reasons.map((r) => r.ruleId)).toEqual(['price-below-half-official']);
  });

  it('does not review a sale at exactly half of the official land price', () => {
    expect(decide(transfer(), fileAs('demo-park-jiwoo', { price: Math.ceil(officialPrice() / 2) }), NOW).outcome).toBe('approve');
  });

  it('does not review a gift declared at no price', () => {
    expect(decide(transfer(), fileAs('demo-park-jiwoo', { cause: 'gift', price: 0 }), NOW).outcome).toBe('approve');
  });

  it('gives only the reject reasons when rules of both outcomes match', () => {
    // Arrange
    const facts = fileAs('demo-choi-minsu', { sellerName: '김영희', price: 1 });

    // Act
    const decision = decide(transfer(), facts, NOW);

    // Assert
    expect(decision.outcome).toBe('reject');
    expect(decision.reasons.map((r) => r.ruleId)).toEqual(['owner-mismatch', 'tax-arrears']);
  });
});

describe('conditions', () => {
  const typeWithRule = (when: Condition, outcome: Rule['outcome'] = 'reject'): PetitionType => ({
    id: 'sample',
    version: 1,
    name: { ko: '예시', en: 'Sample' },
    description: { ko: '예시', en: 'Sample' },
    assuranceLevel: 'low',
    requiresApplicantSeal: false,
    fields: [],
    evidence: [],
    rules: [{ id: 'the-rule', when, outcome, reason: { ko: '사유', en: 'Reason' } }],
    review: { deadlineHours: 1, onDeadline: 'escalate' },
    handlingAgency: 'mois',
    notify: [],
    resultLayout: 'sample',
    example: { subject: 'demo-kim-younghee', fields: {} },
  });
  const facts = (fields: Record<string, unknown>, evidence: DecisionFacts['evidence'] = {}): DecisionFacts => ({
    fields,
    evidence,
    applicant: { birthDate: '1954-03-15' },
  });
  const matches = (when: Condition, f: DecisionFacts) => decide(typeWithRule(when), f, NOW).outcome === 'reject';

  it.each<[string, Condition, boolean]>([
    ['eq on a missing fact', { fact: 'fields.x', op: 'eq', value: 1 }, false],
    ['ne on a missing fact', { fact: 'fields.x', op: 'ne', value: 1 }, false],
    ['lt on a missing fact', { fact: 'fields.x', op: 'lt', value: 1 }, false],
    ['in on a missing fact', { fact: 'fields.x', op: 'in', value: [1] }, false],
    ['exists on a missing fact', { fact: 'fields.x', op: 'exists' }, false],
    ['not exists on a missing fact', { not: { fact: 'fields.x', op: 'exists' } }, true],
    ['a comparison with a missing valueFact', { fact: 'fields.n', op: 'lt', valueFact: 'fields.x' }, false],
  ])('%s → %s', (_name, when, expected) => {
    expect(matches(when, facts({ n: 1 }))).toBe(expected);
  });

  it('treats null as missing', () => {
    expect(matches({ fact: 'evidence.family.spouseName', op: 'exists' }, facts({}, { family: { spouseName: null } }))).toBe(false);
  });

  it('orders ISO dates as text and numbers as numbers, never one against the other', () => {
    const f = facts({ date: '2026-11-20', n: 10 });
    expect(matches({ fact: 'fields.date', op: 'gt', value: '2026-02-01' }, f)).toBe(true);
    expect(matches({ fact: 'fields.n', op: 'gt', value: 9 }, f)).toBe(true);
    expect(matches({ fact: 'fields.n', op: 'lt', value: '9' }, f)).toBe(false);
  });

  it('compares a fact with another fact scaled by a factor', () => {
    const f = facts({ price: 49 }, { land: { officialPrice: 100 } });
    expect(matches({ fact: 'fields.price', op: 'lt', valueFact: 'evidence.land.officialPrice', factor: 0.5 }, f)).toBe(true);
    expect(matches({ fact: 'fields.price', op: 'gte', valueFact: 'evidence.land.officialPrice', factor: 0.49 }, f)).toBe(true);
  });

  it('matches "in" by membership and combines with all / any / not', () => {
    const f = facts({ cause: 'gift', n: 3 });
    expect(matches({ fact: 'fields.cause', op: 'in', value: ['sale', 'gift'] }, f)).toBe(true);
    expect(matches({ all: [{ fact: 'fields.cause', op: 'eq', value: 'gift' }, { fact: 'fields.n', op: 'lte', value: 2 }] }, f)).toBe(false);
    expect(matches({ any: [{ fact: 'fields.cause', op: 'eq', value: 'sale' }, { fact: 'fields.n', op: 'gte', value: 3 }] }, f)).toBe(true);
    expect(matches({ not: { fact: 'fields.cause', op: 'ne', value: 'gift' } }, f)).toBe(true);
  });

  it('does not read inherited properties as facts', () => {
    expect(matches({ fact: 'fields.constructor', op: 'exists' }, facts({}))).toBe(false);
  });

  it('records when it decided', () => {
    expect(decide(typeWithRule({ fact: 'fields.x', op: 'exists' }), facts({}), NOW).decidedAt).toBe('2026-11-24T03:00:00.000Z');
  });

  it('never throws, whatever the facts and conditions (property)', () => {
    // Arrange
    const names = ['x', 'n', 'price', 'constructor', '__proto__'];
    const fact = fc.oneof(
      fc.constantFrom(...names).map((n) => `fields.${n}`),
      fc.constantFrom(...names).map((n) => `evidence.doc.${n}`),
      fc.constantFrom('applicant.age', 'applicant.birthDate'),
    );
    const value = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean());
    const { condition } = fc.letrec<{ condition: Condition }>((tie) => ({
      condition: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(
          fc.record({ fact, op: fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte' as const), value }),
          fc.record({ fact, op: fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte' as const), valueFact: fact, factor: fc.double({ min: 0.01, max: 10, noNaN: true }) }),
          fc.record({ fact, op: fc.constant('in' as const), value: fc.array(value, { minLength: 1 }) }),
          fc.record({ fact, op: fc.constant('exists' as const) }),
        ),
        fc.record({ all: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
        fc.record({ any: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
        fc.record({ not: tie('condition') }),
      ),
    }));
    const record = fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string()), fc.anything({ withNullPrototype: true, withMap: true }));
    const randomFacts = fc.record({
      fields: record,
      evidence: fc.dictionary(fc.constantFrom('doc', 'other'), record),
      applicant: fc.record({ birthDate: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))) }),
    });

    // Act + Assert
    fc.assert(
      fc.property(fc.array(condition, { maxLength: 4 }), randomFacts, fc.date({ noInvalidDate: true }), (conditions, f, now) => {
        const type = { ...typeWithRule({ fact: 'fields.x', op: 'exists' }), rules: conditions.map((when, i) => ({ id: `r${i}`, when, outcome: i % 2 ? 'review' : 'reject', reason: { ko: '사유', en: 'Reason' } }) as Rule) };
        const decision = decide(type, f as DecisionFacts, now);
        expect(['approve', 'review', 'reject']).toContain(decision.outcome);
      }),
    );
    for (const type of catalog.petitionTypes.values()) {
      fc.assert(fc.property(randomFacts, (f) => void decide(type, f as DecisionFacts, NOW)));
    }
  });
});

describe('internationalAge (만 나이)', () => {
  it.each([
    ['1954-03-15', '2026-03-14T14:59:59Z', 71],
    ['1954-03-15', '2026-03-14T15:00:00Z', 72],
    ['2000-02-29', '2027-02-28T12:00:00Z', 26],
    ['2000-02-29', '2027-03-01T12:00:00Z', 27],
    ['2000-02-29', '2028-02-29T12:00:00Z', 28],
  ])('born %s, at %s: %i', (birthDate, at, age) => {
    expect(internationalAge(birthDate, new Date(at))).toBe(age);
  });

  it('is undefined for a birth date that is not a calendar date', () => {
    expect(internationalAge('1954-02-30', NOW)).toBeUndefined();
  });
});
