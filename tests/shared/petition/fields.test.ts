import fc from 'fast-check';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultTemplatesDir, loadCatalog, type Catalog } from '../../../shared/catalog/load.ts';
import type { FieldDefinition, PetitionType } from '../../../shared/catalog/schema.ts';
import { describeIssues, fieldsSchema, isCalendarDate } from '../../../shared/petition/fields.ts';

// ---- factories ----

const label = { ko: '항목', en: 'Field' };

const field = (definition: Partial<FieldDefinition> & Pick<FieldDefinition, 'name' | 'type'>): FieldDefinition => ({
  label,
  required: true,
  ...(definition.type === 'string' ? { maxLength: 100 } : {}),
  ...definition,
});

const typeWith = (...fields: FieldDefinition[]): PetitionType => ({
  id: 'sample',
  version: 1,
  name: label,
  description: label,
  assuranceLevel: 'low',
  requiresApplicantSeal: false,
  fields,
  evidence: [],
  rules: [],
  handlingAgency: 'mois',
  notify: [],
  resultLayout: 'sample',
  example: { subject: 'demo-kim-younghee', fields: {} },
});

/** Parses and returns the readable issues (none when valid). */
const issuesOf = (type: PetitionType, input: unknown) => {
  const result = fieldsSchema(type).safeParse(input);
  return result.success ? [] : describeIssues(result.error);
};

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog(defaultTemplatesDir);
});
const shipped = (id: string) => catalog.petitionTypes.get(id)!;

describe('fieldsSchema: what it accepts', () => {
  it('accepts the example of every shipped petition type unchanged', () => {
    for (const type of catalog.petitionTypes.values()) {
      // Act
      const parsed = fieldsSchema(type).parse(type.example.fields);

      // Assert
      expect(parsed, type.id).toEqual(type.example.fields);
    }
  });

  it('lets an optional field be left out', () => {
    // Arrange
    const { spouseAppliesTogether: _omitted, ...fields } = { ...shipped('basic-pension').example.fields, spouseAppliesTogether: true };

    // Act
    const issues = issuesOf(shipped('basic-pension'), fields);

    // Assert
    expect(issues).toEqual([]);
  });

  it('accepts 29 February in a leap year only', () => {
    // Arrange
    const type = typeWith(field({ name: 'day', type: 'date' }));

    // Act + Assert
    expect(issuesOf(type, { day: '2028-02-29' })).toEqual([]);
    expect(issuesOf(type, { day: '2026-02-29' })).toEqual([{ path: 'day', message: 'expected a calendar date YYYY-MM-DD, received "2026-02-29"' }]);
  });
});

describe('fieldsSchema: what it refuses, and how it says so', () => {
  it('refuses a field the petition type does not declare', () => {
    // Arrange
    const fields = { ...shipped('move-in-report').example.fields, nickname: '지우' };

    // Act
    const issues = issuesOf(shipped('move-in-report'), fields);

    // Assert
    expect(issues).toEqual([
      { path: 'nickname', message: 'unknown field; expected one of: newAddress, addressDetail, moveInDate, householdRelation, reason' },
    ]);
  });

  it('refuses a missing required field', () => {
    // Arrange
    const { sellerName: _missing, ...fields } = shipped('property-transfer-registration').example.fields;

    // Act
    const issues = issuesOf(shipped('property-transfer-registration'), fields);

    // Assert
    expect(issues).toEqual([{ path: 'sellerName', message: 'required: expected text, received nothing' }]);
  });

  it('refuses a number sent as text rather than converting it', () => {
    // Arrange
    const fields = { ...shipped('property-transfer-registration').example.fields, price: '480000000' };

    // Act
    const issues = issuesOf(shipped('property-transfer-registration'), fields);

    // Assert
    expect(issues).toEqual([{ path: 'price', message: 'expected a whole number, received "480000000"' }]);
  });

  it.each([
    [1.5, 'expected a whole number, received 1.5'],
    [-1, 'expected at least 0, received -1'],
    [Number.NaN, 'expected a whole number, received NaN'],
  ])('refuses the price %s', (price, message) => {
    // Arrange
    const fields = { ...shipped('property-transfer-registration').example.fields, price };

    // Act
    const issues = issuesOf(shipped('property-transfer-registration'), fields);

    // Assert
    expect(issues).toEqual([{ path: 'price', message }]);
  });

  it('applies the bounds of a decimal number field', () => {
    // Arrange
    const type = typeWith(field({ name: 'ratio', type: 'number', minimum: 0, maximum: 1 }));

    // Act + Assert
    expect(issuesOf(type, { ratio: 0.25 })).toEqual([]);
    expect(issuesOf(type, { ratio: 1.5 })).toEqual([{ path: 'ratio', message: 'expected at most 1, received 1.5' }]);
  });

  it('refuses text longer than maxLength, saying how long it was', () => {
    // Arrange
    const fields = { ...shipped('move-in-report').example.fields, newAddress: '가'.repeat(201) };

    // Act
    const issues = issuesOf(shipped('move-in-report'), fields);

    // Assert
    expect(issues).toEqual([{ path: 'newAddress', message: 'expected at most 200 characters, received 201' }]);
  });

  it('refuses text that does not match the pattern', () => {
    // Arrange
    const fields = { ...shipped('basic-pension').example.fields, accountNumber: '302-1234-ABCD' };

    // Act
    const issues = issuesOf(shipped('basic-pension'), fields);

    // Assert
    expect(issues).toEqual([{ path: 'accountNumber', message: 'expected text matching ^[0-9]+(-[0-9]+)*$, received "302-1234-ABCD"' }]);
  });

  it('refuses an empty required text', () => {
    // Arrange
    const fields = { ...shipped('basic-pension').example.fields, bankName: '' };

    // Act
    const issues = issuesOf(shipped('basic-pension'), fields);

    // Assert
    expect(issues).toEqual([{ path: 'bankName', message: 'expected non-empty text, received ""' }]);
  });

  it('refuses a value outside the enum, listing the options', () => {
    // Arrange
    const fields = { ...shipped('move-in-report').example.fields, householdRelation: 'boss' };

    // Act
    const issues = issuesOf(shipped('move-in-report'), fields);

    // Assert
    expect(issues).toEqual([{ path: 'householdRelation', message: 'expected one of "head", "member", received "boss"' }]);
  });

  it('refuses "true" as text for a boolean', () => {
    // Arrange
    const fields = { ...shipped('basic-pension').example.fields, spouseAppliesTogether: 'true' };

    // Act
    const issues = issuesOf(shipped('basic-pension'), fields);

    // Assert
    expect(issues).toEqual([{ path: 'spouseAppliesTogether', message: 'expected true or false, received "true"' }]);
  });

  it.each(['2026-1-05', '2026-13-01', '2026-04-31', '26-04-01', '2026-04-01T00:00:00Z'])('refuses the date %s', (moveInDate) => {
    // Arrange
    const fields = { ...shipped('move-in-report').example.fields, moveInDate };

    // Act
    const issues = issuesOf(shipped('move-in-report'), fields);

    // Assert
    expect(issues).toEqual([{ path: 'moveInDate', message: `expected a calendar date YYYY-MM-DD, received ${JSON.stringify(moveInDate)}` }]);
  });

  it('refuses fields that are not an object', () => {
    // Act
    const issues = issuesOf(shipped('basic-pension'), ['302-1234']);

    // Assert
    expect(issues).toEqual([{ path: '', message: 'expected an object of petition fields, received a list' }]);
  });

  it('reports every problem at once', () => {
    // Act
    const issues = issuesOf(shipped('property-transfer-registration'), { parcelNumber: '26110', price: -5, cause: 'swap', extra: 1 });

    // Assert
    expect(issues.map((i) => i.path).sort()).toEqual(['cause', 'contractDate', 'extra', 'parcelNumber', 'price', 'sellerName']);
  });

  it('shortens a long received value in the message', () => {
    // Arrange
    const type = typeWith(field({ name: 'code', type: 'string', pattern: '^[0-9]+$' }));

    // Act
    const [issue] = issuesOf(type, { code: 'x'.repeat(90) });

    // Assert
    expect(issue!.message).toBe(`expected text matching ^[0-9]+$, received "${'x'.repeat(40)}…" (90 characters)`);
  });
});

describe('fieldsSchema: Unicode normalization', () => {
  const decomposed = '세종특별자치시'.normalize('NFD');

  it('stores Korean typed as decomposed jamo in composed form', () => {
    // Arrange
    const fields = { ...shipped('move-in-report').example.fields, newAddress: `${decomposed} 한누리대로 2130` };

    // Act
    const parsed = fieldsSchema(shipped('move-in-report')).parse(fields);

    // Assert
    expect(decomposed).not.toBe('세종특별자치시');
    expect(parsed.newAddress).toBe('세종특별자치시 한누리대로 2130');
  });

  it('measures maxLength after composition', () => {
    // Arrange
    const type = typeWith(field({ name: 'name', type: 'string', maxLength: 3 }));

    // Act
    const issues = issuesOf(type, { name: '김영희'.normalize('NFD') });

    // Assert
    expect('김영희'.normalize('NFD').length).toBeGreaterThan(3);
    expect(issues).toEqual([]);
  });

  it('returns composed input byte for byte, and normalizing twice changes nothing (property)', () => {
    // Arrange
    const type = typeWith(field({ name: 'text', type: 'string', required: false, maxLength: 10_000 }));
    const schema = fieldsSchema(type);
    const hangulJamo = fc.integer({ min: 0x1100, max: 0x11ff }).map((c) => String.fromCodePoint(c));
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: hangulJamo, maxLength: 30 }));

    // Act + Assert
    fc.assert(
      fc.property(text, (input) => {
        const once = schema.parse({ text: input }).text as string;
        const twice = schema.parse({ text: once }).text as string;
        expect(once).toBe(input.normalize('NFC'));
        expect(twice).toBe(once);
        if (input === input.normalize('NFC')) expect(Buffer.from(once)).toEqual(Buffer.from(input));
      }),
    );
  });
});

describe('isCalendarDate', () => {
  it.each([
    ['2000-02-29', true],
    ['1900-02-29', false],
    ['2026-12-31', true],
    ['2026-00-10', false],
    ['2026-06-00', false],
  ])('%s → %s', (value, expected) => {
    expect(isCalendarDate(value)).toBe(expected);
  });
});

describe('date fields and isCalendarDate', () => {
  it('agree on every YYYY-MM-DD string (property)', () => {
    // Arrange
    const type = typeWith(field({ name: 'day', type: 'date' }));
    const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
    const dateLike = fc.tuple(digits(4), fc.oneof(digits(2), fc.integer({ min: 1, max: 12 }).map((m) => String(m).padStart(2, '0'))), digits(2)).map((p) => p.join('-'));

    // Act + Assert
    fc.assert(
      fc.property(dateLike, (day) => {
        expect(issuesOf(type, { day }).length === 0).toBe(isCalendarDate(day));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('describeIssues on any zod error', () => {
  it('adds the received value when zod\'s message lacks it', () => {
    // Arrange
    const schema = z.strictObject({ size: z.number().max(10) });

    // Act
    const result = schema.safeParse({ size: 11, colour: 'red' }, { reportInput: true });

    // Assert
    expect(describeIssues(result.error!)).toEqual([
      { path: 'size', message: 'Too big: expected number to be <=10, received 11' },
      { path: 'colour', message: 'unknown key, not allowed here' },
    ]);
  });
});
