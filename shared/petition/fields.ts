/** Validation of the fields a citizen submits, built from the petition type's field definitions. */
import { z } from 'zod';
import type { FieldDefinition, PetitionType } from '../catalog/schema.ts';

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** Whether `value` is an ISO `YYYY-MM-DD` string naming a day that exists (no 2026-02-30). */
export const isCalendarDate = (value: string): boolean => {
  const match = DATE_SHAPE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
};

/** A short rendering of a received value for messages: never the whole of a long input. */
export const describeValue = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `${JSON.stringify(shown)}${value.length > 40 ? ` (${value.length} characters)` : ''}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
};

/** Formats a zod issue path as a JSON path: `evidence[1].agency`; the root is the empty string. */
export const formatPath = (path: readonly PropertyKey[]): string => {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
};

const expectedKind = (field: FieldDefinition): string => {
  switch (field.type) {
    case 'string':
      return 'text';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'date':
      return 'a calendar date YYYY-MM-DD';
    case 'enum':
      return `one of ${(field.options ?? []).map((o) => JSON.stringify(o.value)).join(', ')}`;
  }
};

/** One message builder per field so every failure says what was received and what was expected. */
const fieldError =
  (field: FieldDefinition) =>
  (issue: z.core.$ZodRawIssue): string => {
    const received = describeValue(issue.input);
    switch (issue.code) {
      case 'invalid_type':
        return issue.input === undefined
          ? `required: expected ${expectedKind(field)}, received nothing`
          : `expected ${expectedKind(field)}, received ${received}`;
      case 'too_big':
        return issue.origin === 'string'
          ? `expected at most ${issue.maximum} characters, received ${String(issue.input).length}`
          : `expected at most ${issue.maximum}, received ${received}`;
      case 'too_small':
        return issue.origin === 'string' ? `expected non-empty text, received ""` : `expected at least ${issue.minimum}, received ${received}`;
      case 'invalid_format':
        return field.type === 'date'
          ? `expected ${expectedKind(field)}, received ${received}`
          : `expected text matching ${field.pattern ?? 'the pattern'}, received ${received}`;
      default:
        return `expected ${expectedKind(field)}, received ${received}`;
    }
  };

const nfc = (value: string): string => value.normalize('NFC');

const fieldSchema = (field: FieldDefinition): z.ZodType => {
  const error = fieldError(field);
  let schema: z.ZodType;
  switch (field.type) {
    case 'string': {
      let text = z.string({ error }).overwrite(nfc);
      if (field.required) text = text.min(1, { error });
      if (field.maxLength !== undefined) text = text.max(field.maxLength, { error });
      if (field.pattern !== undefined) text = text.regex(new RegExp(field.pattern, 'u'), { error });
      schema = text;
      break;
    }
    case 'integer':
    case 'number': {
      let num = field.type === 'integer' ? z.int({ error }) : z.number({ error });
      if (field.minimum !== undefined) num = num.min(field.minimum, { error });
      if (field.maximum !== undefined) num = num.max(field.maximum, { error });
      schema = num;
      break;
    }
    case 'boolean':
      schema = z.boolean({ error });
      break;
    case 'date':
      // z.iso.date() knows month lengths and leap years (tested to agree with isCalendarDate)
      // and gives OpenAPI its `format: date`.
      schema = z.iso.date({ error });
      break;
    case 'enum': {
      const values = (field.options ?? []).map((o) => o.value);
      schema = z.enum(values as [string, ...string[]], { error });
      break;
    }
  }
  return field.required ? schema : schema.optional();
};

const cache = new WeakMap<PetitionType, z.ZodType<Record<string, unknown>>>();

/**
 * The strict schema of a petition type's fields: unknown fields and wrong types are refused,
 * strings come back NFC-normalized.
 */
export const fieldsSchema = (type: PetitionType): z.ZodType<Record<string, unknown>> => {
  const cached = cache.get(type);
  if (cached) return cached;
  const names = type.fields.map((f) => f.name);
  const schema = z.strictObject(Object.fromEntries(type.fields.map((f) => [f.name, fieldSchema(f)])), {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field; expected one of: ${names.join(', ') || '(no fields)'}`
        : `expected an object of petition fields, received ${describeValue(issue.input)}`,
  });
  cache.set(type, schema);
  return schema;
};

/** Readable issues: one entry per problem, with a JSON path and a message naming received and expected values. */
export const describeIssues = (error: z.ZodError): { path: string; message: string }[] =>
  error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const message = issue.message.startsWith('Unrecognized key') ? 'unknown key, not allowed here' : issue.message;
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message }));
    }
    // Custom issues say it all; an object as "received" would only be noise.
    const input = (issue as { input?: unknown }).input;
    const worthShowing = issue.code !== 'custom' && input !== undefined && (typeof input !== 'object' || input === null);
    const message = worthShowing && !issue.message.includes('received') ? `${issue.message}, received ${describeValue(input)}` : issue.message;
    return [{ path: formatPath(issue.path), message }];
  });
