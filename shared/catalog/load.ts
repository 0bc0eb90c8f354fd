/** Loads templates/ (petition types and issuing agencies) and checks it whole, once, at start. */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { describeIssues, fieldsSchema } from '../petition/fields.ts';
import { AgencySchema, PetitionTypeSchema, type Agency, type Condition, type PetitionType } from './schema.ts';

export interface Catalog {
  petitionTypes: ReadonlyMap<string, PetitionType>;
  agencies: ReadonlyMap<string, Agency>;
}

/** The repository's templates/ folder (bundled deployments pass their own directory instead). */
export const defaultTemplatesDir: string = resolve(fileURLToPath(new URL('../../templates', import.meta.url)));

/** A catalog file is unreadable or inconsistent: the platform refuses to start with it. */
export class CatalogError extends Error {
  readonly file: string;
  /** JSON path inside the file, e.g. `evidence[1].agency`; `$` for the whole file. */
  readonly path: string;
  readonly reason: string;

  constructor(file: string, path: string, reason: string, options?: { cause?: unknown }) {
    super(`${file}: ${path}: ${reason}`, options);
    this.name = 'CatalogError';
    this.file = file;
    this.path = path;
    this.reason = reason;
  }
}

interface Problem {
  path: string;
  message: string;
}

/** Throws the first problem; the others ride along in its reason so one run shows them all. */
const fail = (file: string, problems: Problem[]): never => {
  const [first, ...rest] = problems;
  const also = rest.length === 0 ? '' : ` (also: ${rest.map((p) => `${p.path || '$'}: ${p.message}`).join('; ')})`;
  throw new CatalogError(file, first!.path || '$', `${first!.message}${also}`);
};

const jsonFilesIn = async (dir: string): Promise<string[]> => {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => join(dir, e.name)).sort();
  } catch (error) {
    throw new CatalogError(dir, '$', `expected a directory of *.json files, could not read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
};

/** Offset of the first JSON syntax error, or -1: JSON.parse does not always say where. */
const syntaxErrorOffset = (text: string): number => {
  let i = 0;
  const stop = (): never => {
    throw i;
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    if (!text.startsWith(word, i)) stop();
    i += word.length;
  };
  const string = () => {
    literal('"');
    while (text[i] !== '"') {
      if (i >= text.length || text.charCodeAt(i) < 0x20) stop();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 5;
        else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i]!)) i++;
        else stop();
      } else i++;
    }
    i++;
  };
  const number = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
  const members = (close: string, member: () => void) => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      skipSpace();
      if (text[i] !== ',') break;
      i++;
    }
    literal(close);
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') members('}', () => (skipSpace(), string(), skipSpace(), literal(':'), value()));
    else if (c === '[') members(']', value);
    else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else {
      number.lastIndex = i;
      if (!number.test(text)) stop();
      i = number.lastIndex;
    }
  };
  try {
    value();
    skipSpace();
    return i < text.length ? i : -1;
  } catch (offset) {
    return typeof offset === 'number' ? offset : -1; // a RangeError from absurd nesting: no position
  }
};

const lineAndColumn = (text: string, offset: number): string => {
  const lines = text.slice(0, offset).split('\n');
  return `line ${lines.length}, column ${lines.at(-1)!.length + 1}`;
};

const readJson = async (file: string): Promise<unknown> => {
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (error) {
    const offset = syntaxErrorOffset(text);
    const where = offset < 0 ? '' : ` at ${lineAndColumn(text, offset)}`;
    throw new CatalogError(file, '$', `invalid JSON${where}: ${(error as Error).message}`, { cause: error });
  }
};

const parseFile = <S extends z.ZodType>(schema: S, file: string, json: unknown): z.output<S> => {
  const result = schema.safeParse(json, { reportInput: true });
  if (!result.success) fail(file, describeIssues(result.error));
  return result.data as z.output<S>;
};

const fileId = (file: string): string => basename(file, '.json');

const checkId = (file: string, id: string, seen: ReadonlyMap<string, unknown>): void => {
  if (id !== fileId(file)) fail(file, [{ path: 'id', message: `expected "${fileId(file)}" (the file name), received "${id}"` }]);
  if (seen.has(id)) fail(file, [{ path: 'id', message: `duplicate id "${id}"` }]);
};

const list = (values: Iterable<string>): string => [...values].join(', ') || '(none)';

/** Every fact a condition reads, with the JSON path of the key that names it. */
function* factsOf(condition: Condition, path: string): Generator<{ fact: string; path: string }> {
  if ('all' in condition) for (const [i, c] of condition.all.entries()) yield* factsOf(c, `${path}.all[${i}]`);
  else if ('any' in condition) for (const [i, c] of condition.any.entries()) yield* factsOf(c, `${path}.any[${i}]`);
  else if ('not' in condition) yield* factsOf(condition.not, `${path}.not`);
  else {
    yield { fact: condition.fact, path: `${path}.fact` };
    if (condition.valueFact !== undefined) yield { fact: condition.valueFact, path: `${path}.valueFact` };
  }
}

/** Why a fact cannot be read for this petition type, or undefined when it can. */
const unknownFact = (type: PetitionType, fact: string): string | undefined => {
  const [root, name, field] = fact.split('.');
  if (root === 'fields' && !type.fields.some((f) => f.name === name)) {
    return `unknown field "${name}" in "${fact}"; declared fields: ${list(type.fields.map((f) => f.name))}`;
  }
  if (root === 'evidence') {
    const evidence = type.evidence.find((e) => e.id === name);
    if (!evidence) return `unknown evidence "${name}" in "${fact}"; declared evidence: ${list(type.evidence.map((e) => e.id))}`;
    if (!evidence.fields.includes(field!)) return `evidence "${name}" does not request "${field}" (requested: ${list(evidence.fields)})`;
  }
  return undefined;
};

const crossReferences = (type: PetitionType, agencies: ReadonlyMap<string, Agency>): Problem[] => {
  const problems: Problem[] = [];
  type.evidence.forEach((evidence, i) => {
    const at = `evidence[${i}]`;
    const agency = agencies.get(evidence.agency);
    if (!agency) {
      problems.push({ path: `${at}.agency`, message: `unknown agency "${evidence.agency}"; known agencies: ${list(agencies.keys())}` });
      return;
    }
    const document = agency.documents.find((d) => d.type === evidence.documentType);
    if (!document) {
      problems.push({ path: `${at}.documentType`, message: `agency "${agency.id}" does not issue "${evidence.documentType}" (it issues: ${list(agency.documents.map((d) => d.type))})` });
      return;
    }
    evidence.fields.forEach((field, j) => {
      if (!document.fields.includes(field)) {
        problems.push({ path: `${at}.fields[${j}]`, message: `"${document.type}" has no field "${field}" (it offers: ${list(document.fields)})` });
      }
    });
    if (document.lookup === 'subject' && evidence.lookup !== 'applicant') {
      problems.push({ path: `${at}.lookup`, message: `"${document.type}" is looked up by the applicant; expected "applicant", received "${evidence.lookup}"` });
    }
    if (document.lookup !== 'subject' && evidence.lookup === 'applicant') {
      problems.push({ path: `${at}.lookup`, message: `"${document.type}" is looked up by ${document.lookup}; expected "field:<name of the field holding it>", received "applicant"` });
    }
    if (evidence.lookup.startsWith('field:')) {
      const name = evidence.lookup.slice('field:'.length);
      const field = type.fields.find((f) => f.name === name);
      if (!field) problems.push({ path: `${at}.lookup`, message: `unknown field "${name}"; declared fields: ${list(type.fields.map((f) => f.name))}` });
      else if (!field.required || field.type !== 'string') {
        problems.push({ path: `${at}.lookup`, message: `a lookup field must be a required string field, "${name}" is ${field.required ? '' : 'optional '}${field.type}` });
      }
    }
  });
  type.rules.forEach((rule, i) => {
    for (const { fact, path } of factsOf(rule.when, `rules[${i}].when`)) {
      const why = unknownFact(type, fact);
      if (why) problems.push({ path, message: why });
    }
    if (rule.outcome === 'review' && type.review === undefined) {
      problems.push({ path: `rules[${i}].outcome`, message: 'a "review" outcome needs the type\'s "review" section (deadlineHours, onDeadline)' });
    }
  });
  if (!agencies.has(type.handlingAgency)) {
    problems.push({ path: 'handlingAgency', message: `unknown agency "${type.handlingAgency}"; known agencies: ${list(agencies.keys())}` });
  }
  type.notify.forEach((id, i) => {
    if (!agencies.has(id)) problems.push({ path: `notify[${i}]`, message: `unknown agency "${id}"; known agencies: ${list(agencies.keys())}` });
  });
  const example = fieldsSchema(type).safeParse(type.example.fields);
  if (!example.success) {
    problems.push(...describeIssues(example.error).map((p) => ({ path: p.path === '' ? 'example.fields' : `example.fields${p.path.startsWith('[') ? '' : '.'}${p.path}`, message: p.message })));
  }
  return problems;
};

/** Reads `<dir>/agencies/*.json` and `<dir>/petition-types/*.json`; throws CatalogError on the first bad file. */
export const loadCatalog = async (dir: string): Promise<Catalog> => {
  const agencies = new Map<string, Agency>();
  for (const file of await jsonFilesIn(join(dir, 'agencies'))) {
    const agency = parseFile(AgencySchema, file, await readJson(file));
    checkId(file, agency.id, agencies);
    agencies.set(agency.id, agency);
  }
  const petitionTypes = new Map<string, PetitionType>();
  for (const file of await jsonFilesIn(join(dir, 'petition-types'))) {
    const type = parseFile(PetitionTypeSchema, file, await readJson(file));
    checkId(file, type.id, petitionTypes);
    const problems = crossReferences(type, agencies);
    if (problems.length > 0) fail(file, problems);
    petitionTypes.set(type.id, type);
  }
  return { petitionTypes, agencies };
};
