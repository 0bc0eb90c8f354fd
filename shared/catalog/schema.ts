/**
 * The catalog's data shapes: petition types and issuing agencies as they are written in
 * templates/*.json. Everything here checks one file on its own; references between files
 * (an evidence's agency, a rule's facts) are checked by load.ts.
 */
import { z } from 'zod';
import { ASSURANCE_LEVELS } from '../petition/model.ts';

const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;

const kebabId = z.string().regex(KEBAB_CASE, { error: 'expected a kebab-case id (a-z, 0-9, single hyphens)' });
const camelName = z.string().regex(CAMEL_CASE, { error: 'expected a camelCase name (letters and digits, starting lower case)' });

/** Adds one issue per repeated value, pointing at the repeat. */
const rejectDuplicates = (
  values: readonly string[],
  ctx: z.RefinementCtx,
  path: (index: number) => PropertyKey[],
  what: string,
): void => {
  const firstIndex = new Map<string, number>();
  values.forEach((value, index) => {
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, index);
    else ctx.addIssue({ code: 'custom', path: path(index), input: value, message: `duplicate ${what} "${value}" (already at index ${first})` });
  });
};

export const LocalizedTextSchema = z.strictObject({
  ko: z.string().min(1),
  en: z.string().min(1),
});
export type LocalizedText = z.output<typeof LocalizedTextSchema>;

export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'enum'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

const isRegExp = (pattern: string): boolean => {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
};

export const FieldOptionSchema = z.strictObject({
  value: z.string().min(1),
  label: LocalizedTextSchema,
});

/** One input the citizen fills in. Keys that do not apply to the field's type are refused. */
export const FieldDefinitionSchema = z
  .strictObject({
    name: camelName,
    label: LocalizedTextSchema,
    type: z.enum(FIELD_TYPES),
    required: z.boolean(),
    /** string: maximum length in UTF-16 code units (Hangul syllables count one each); mandatory. */
    maxLength: z.int().positive().optional(),
    /** string: a JavaScript regular expression (Unicode mode) the NFC-normalized value must match. */
    pattern: z.string().refine(isRegExp, { error: 'expected a valid regular expression' }).optional(),
    /** integer / number: inclusive bounds. */
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    /** enum: the allowed values; mandatory for enum. */
    options: z.array(FieldOptionSchema).min(1).optional(),
  })
  .superRefine((field, ctx) => {
    const notFor = (key: string) =>
      ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" does not apply to a field of type "${field.type}"` });
    if (field.type === 'string') {
      if (field.maxLength === undefined) ctx.addIssue({ code: 'custom', path: ['maxLength'], message: 'a string field needs a maxLength' });
    } else {
      if (field.maxLength !== undefined) notFor('maxLength');
      if (field.pattern !== undefined) notFor('pattern');
    }
    if (field.type === 'integer' || field.type === 'number') {
      if (field.minimum !== undefined && field.maximum !== undefined && field.minimum > field.maximum) {
        ctx.addIssue({ code: 'custom', path: ['maximum'], message: `expected maximum ≥ minimum (${field.minimum}), received ${field.maximum}` });
      }
      if (field.type === 'integer') {
        for (const key of ['minimum', 'maximum'] as const) {
          const bound = field[key];
          if (bound !== undefined && !Number.isInteger(bound)) ctx.addIssue({ code: 'custom', path: [key], message: `expected an integer bound for an integer field, received ${bound}` });
        }
      }
    } else {
      if (field.minimum !== undefined) notFor('minimum');
      if (field.maximum !== undefined) notFor('maximum');
    }
    if (field.type === 'enum') {
      if (field.options === undefined) ctx.addIssue({ code: 'custom', path: ['options'], message: 'an enum field needs options' });
      else rejectDuplicates(field.options.map((o) => o.value), ctx, (i) => ['options', i, 'value'], 'option value');
    } else if (field.options !== undefined) {
      notFor('options');
    }
  });
export type FieldDefinition = z.output<typeof FieldDefinitionSchema>;

/**
 * Facts a rule can read: `fields.<name>`, `evidence.<evidenceId>.<field>`, `applicant.age`
 * (international age today, Asia/Seoul) and `applicant.birthDate`.
 */
export const FACT_PATTERN = /^(fields\.[A-Za-z][A-Za-z0-9]*|evidence\.[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9]*|applicant\.(age|birthDate))$/;
const factPath = z.string().regex(FACT_PATTERN, {
  error: 'expected a fact: fields.<name>, evidence.<evidenceId>.<field>, applicant.age or applicant.birthDate',
});

export const COMPARISON_OPERATORS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'exists'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];
export type Scalar = string | number | boolean;

/** Compares a fact with a literal `value` or with another fact (`valueFact`, optionally multiplied by `factor`). */
export interface Comparison {
  fact: string;
  op: ComparisonOperator;
  value?: Scalar | Scalar[];
  valueFact?: string;
  factor?: number;
}
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Comparison;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

// One flat object checked by hand rather than a zod union: a union's error says only
// "invalid input", while this says which key is missing or out of place.
const ConditionObjectSchema = z
  .strictObject({
    get all() {
      return z.array(ConditionSchema).min(1).optional();
    },
    get any() {
      return z.array(ConditionSchema).min(1).optional();
    },
    get not() {
      return ConditionSchema.optional();
    },
    fact: factPath.optional(),
    op: z.enum(COMPARISON_OPERATORS).optional(),
    value: z.union([scalar, z.array(scalar).min(1)]).optional(),
    valueFact: factPath.optional(),
    factor: z.number().positive().optional(),
  })
  .superRefine((c, ctx) => {
    const present = (['all', 'any', 'not', 'fact'] as const).filter((key) => c[key] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `expected exactly one of "all", "any", "not" or "fact", received ${present.length === 0 ? 'none' : present.map((k) => `"${k}"`).join(', ')}` });
      return;
    }
    const misplaced = (key: string, why: string) => ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not allowed ${why}` });
    if (c.fact === undefined) {
      for (const key of ['op', 'value', 'valueFact', 'factor'] as const) if (c[key] !== undefined) misplaced(key, `next to "${present[0]}"`);
      return;
    }
    if (c.op === undefined) {
      ctx.addIssue({ code: 'custom', path: ['op'], message: `a comparison needs "op", one of ${COMPARISON_OPERATORS.join(', ')}` });
      return;
    }
    if (c.op === 'exists') {
      for (const key of ['value', 'valueFact', 'factor'] as const) if (c[key] !== undefined) misplaced(key, 'with "exists"');
      return;
    }
    if (c.op === 'in') {
      if (!Array.isArray(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], input: c.value, message: '"in" needs "value": a list of values' });
      for (const key of ['valueFact', 'factor'] as const) if (c[key] !== undefined) misplaced(key, 'with "in"');
      return;
    }
    if ((c.value === undefined) === (c.valueFact === undefined)) {
      ctx.addIssue({ code: 'custom', message: `"${c.op}" needs exactly one of "value" or "valueFact"` });
    }
    if (Array.isArray(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], input: c.value, message: `"${c.op}" compares with one value, received a list (use "in")` });
    if (c.factor !== undefined && c.valueFact === undefined) misplaced('factor', 'without "valueFact"');
  });

/** A condition tree: `all` / `any` / `not`, with comparisons of facts at the leaves. */
export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  ConditionObjectSchema.transform((c): Condition => {
    if (c.all) return { all: c.all };
    if (c.any) return { any: c.any };
    if (c.not) return { not: c.not };
    const comparison: Comparison = { fact: c.fact!, op: c.op! };
    if (c.value !== undefined) comparison.value = c.value;
    if (c.valueFact !== undefined) comparison.valueFact = c.valueFact;
    if (c.factor !== undefined) comparison.factor = c.factor;
    return comparison;
  }),
);

export const RULE_OUTCOMES = ['reject', 'review'] as const;

export const RuleSchema = z.strictObject({
  id: kebabId,
  when: ConditionSchema,
  outcome: z.enum(RULE_OUTCOMES),
  reason: LocalizedTextSchema,
});
export type Rule = z.output<typeof RuleSchema>;

/** `applicant` looks the document up by the applicant's subject; `field:<name>` by the value of that petition field. */
export const EVIDENCE_LOOKUP = /^(applicant|field:[a-z][A-Za-z0-9]*)$/;

export const EvidenceRequirementSchema = z
  .strictObject({
    id: camelName,
    name: LocalizedTextSchema,
    documentType: kebabId,
    agency: kebabId,
    /** Only these fields of the document are requested (data minimisation). */
    fields: z.array(camelName).min(1),
    lookup: z.string().regex(EVIDENCE_LOOKUP, { error: 'expected "applicant" or "field:<fieldName>"' }).default('applicant'),
  })
  .superRefine((e, ctx) => rejectDuplicates(e.fields, ctx, (i) => ['fields', i], 'field'));
export type EvidenceRequirement = z.output<typeof EvidenceRequirementSchema>;

export const ReviewSchema = z.strictObject({
  deadlineHours: z.int().positive(),
  onDeadline: z.enum(['escalate']),
});

export const PetitionTypeSchema = z
  .strictObject({
    id: kebabId,
    version: z.int().positive(),
    name: LocalizedTextSchema,
    description: LocalizedTextSchema,
    assuranceLevel: z.enum(ASSURANCE_LEVELS),
    requiresApplicantSeal: z.boolean(),
    fields: z.array(FieldDefinitionSchema),
    evidence: z.array(EvidenceRequirementSchema),
    rules: z.array(RuleSchema),
    review: ReviewSchema.optional(),
    /** The agency that decides the petition, seals its result (and reviews it when the rules ask). */
    handlingAgency: kebabId,
    notify: z.array(kebabId).default([]),
    resultLayout: kebabId,
    example: z.strictObject({
      subject: z.string().min(1),
      fields: z.record(z.string(), z.unknown()),
    }),
  })
  .superRefine((t, ctx) => {
    rejectDuplicates(t.fields.map((f) => f.name), ctx, (i) => ['fields', i, 'name'], 'field name');
    rejectDuplicates(t.evidence.map((e) => e.id), ctx, (i) => ['evidence', i, 'id'], 'evidence id');
    rejectDuplicates(t.rules.map((r) => r.id), ctx, (i) => ['rules', i, 'id'], 'rule id');
    rejectDuplicates(t.notify, ctx, (i) => ['notify', i], 'agency');
  });
export type PetitionType = z.output<typeof PetitionTypeSchema>;

/** How an agency keys a document's records. */
export const DOCUMENT_LOOKUPS = ['subject', 'parcelNumber', 'address'] as const;

export const AgencyDocumentSchema = z
  .strictObject({
    type: kebabId,
    name: LocalizedTextSchema,
    lookup: z.enum(DOCUMENT_LOOKUPS),
    fields: z.array(camelName).min(1),
  })
  .superRefine((d, ctx) => rejectDuplicates(d.fields, ctx, (i) => ['fields', i], 'field'));
export type AgencyDocument = z.output<typeof AgencyDocumentSchema>;

export const AgencySchema = z
  .strictObject({
    id: kebabId,
    name: LocalizedTextSchema,
    /** The text of the agency's official seal (직인), drawn on the results it signs; default: its name and 인. */
    sealText: z.string().min(1).max(16).optional(),
    documents: z.array(AgencyDocumentSchema).min(1),
    endpoint: z
      .strictObject({
        /** Absent: the platform's local simulator answers for this agency. */
        baseUrl: z.url({ protocol: /^https?$/ }).optional(),
        timeoutMs: z.int().positive().max(120_000).default(5000),
      })
      .default({ timeoutMs: 5000 }),
  })
  .superRefine((a, ctx) => rejectDuplicates(a.documents.map((d) => d.type), ctx, (i) => ['documents', i, 'type'], 'document type'));
export type Agency = z.output<typeof AgencySchema>;
