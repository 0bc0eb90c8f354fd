import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPopulation } from '../../../infra/local/population.ts';
import { CatalogError, defaultTemplatesDir, loadCatalog } from '../../../shared/catalog/load.ts';

// ---- factories: a small valid catalog, changed one key at a time by each test ----

type Json = Record<string, unknown>;

const agency = (overrides: Json = {}): Json => ({
  id: 'mois',
  name: { ko: '행정안전부', en: 'Ministry of the Interior and Safety' },
  documents: [
    {
      type: 'resident-registration',
      name: { ko: '주민등록표 초본', en: 'Resident registration abstract' },
      lookup: 'subject',
      fields: ['name', 'birthDate', 'address'],
    },
  ],
  ...overrides,
});

const landAgency = (): Json => ({
  id: 'molit',
  name: { ko: '국토교통부', en: 'Ministry of Land, Infrastructure and Transport' },
  documents: [
    { type: 'land-register', name: { ko: '토지대장', en: 'Land register' }, lookup: 'parcelNumber', fields: ['parcelNumber', 'ownerName'] },
  ],
  endpoint: { timeoutMs: 3000 },
});

const petitionType = (overrides: Json = {}): Json => ({
  id: 'sample-petition',
  version: 1,
  name: { ko: '예시 민원', en: 'Sample petition' },
  description: { ko: '시험용', en: 'For tests' },
  assuranceLevel: 'substantial',
  requiresApplicantSeal: false,
  fields: [
    { name: 'accountNumber', label: { ko: '계좌번호', en: 'Account number' }, type: 'string', required: true, maxLength: 20, pattern: '^[0-9-]+$' },
    { name: 'parcelNumber', label: { ko: '지번', en: 'Parcel number' }, type: 'string', required: true, maxLength: 21 },
  ],
  evidence: [
    { id: 'residentRecord', name: { ko: '주민등록표 초본', en: 'Resident registration abstract' }, documentType: 'resident-registration', agency: 'mois', fields: ['birthDate', 'address'] },
    { id: 'landRecord', name: { ko: '토지대장', en: 'Land register' }, documentType: 'land-register', agency: 'molit', fields: ['ownerName'], lookup: 'field:parcelNumber' },
  ],
  rules: [
    { id: 'too-young', when: { fact: 'applicant.age', op: 'lt', value: 65 }, outcome: 'reject', reason: { ko: '나이', en: 'Age' } },
  ],
  handlingAgency: 'mois',
  notify: ['mois'],
  resultLayout: 'sample-decision',
  example: { subject: 'demo-kim-younghee', fields: { accountNumber: '302-1234', parcelNumber: '2611010100-10123-0000' } },
  ...overrides,
});

const tempDirs: string[] = [];
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes a catalog directory; a string value is written verbatim (for broken JSON). */
const writeCatalog = async (files: { agencies?: Record<string, Json | string>; petitionTypes?: Record<string, Json | string> }): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'hanbeon-catalog-'));
  tempDirs.push(dir);
  const write = async (folder: string, entries: Record<string, Json | string>) => {
    await mkdir(join(dir, folder), { recursive: true });
    for (const [name, content] of Object.entries(entries)) {
      await writeFile(join(dir, folder, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    }
  };
  await write('agencies', files.agencies ?? { 'mois.json': agency(), 'molit.json': landAgency() });
  await write('petition-types', files.petitionTypes ?? { 'sample-petition.json': petitionType() });
  return dir;
};

const catalogWithType = (type: Json) => writeCatalog({ petitionTypes: { 'sample-petition.json': type } });

/** Loads and returns the CatalogError it must throw. */
const catalogErrorOf = async (dir: string): Promise<CatalogError> => {
  const error = await loadCatalog(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CatalogError);
  return error as CatalogError;
};

describe('loadCatalog: the shipped templates', () => {
  it('loads the three petition types and the four issuing agencies', async () => {
    // Act
    const catalog = await loadCatalog(defaultTemplatesDir);

    // Assert
    expect([...catalog.petitionTypes.keys()].sort()).toEqual(['basic-pension', 'move-in-report', 'property-transfer-registration']);
    expect([...catalog.agencies.keys()].sort()).toEqual(['court', 'mois', 'molit', 'nts']);
  });

  it('names a demo citizen as the subject of every example', async () => {
    // Arrange
    const population = createPopulation({ size: 1 });
    const catalog = await loadCatalog(defaultTemplatesDir);

    // Act
    const subjects = [...catalog.petitionTypes.values()].map((t) => t.example.subject);

    // Assert
    for (const subject of subjects) expect(population.get(subject)?.demo, subject).toBeDefined();
  });

  it('asks basic pension evidence from three different agencies', async () => {
    // Act
    const type = (await loadCatalog(defaultTemplatesDir)).petitionTypes.get('basic-pension')!;

    // Assert
    expect(new Set(type.evidence.map((e) => e.agency))).toEqual(new Set(['mois', 'court', 'nts']));
    expect(type.review).toEqual({ deadlineHours: 120, onDeadline: 'escalate' });
  });

  it('describes the documents the agency simulators serve', async () => {
    // Act
    const { agencies } = await loadCatalog(defaultTemplatesDir);

    // Assert
    const documents = Object.fromEntries([...agencies.values()].flatMap((a) => a.documents.map((d) => [`${a.id}/${d.type}`, d.lookup])));
    expect(documents).toEqual({
      'mois/resident-registration': 'subject',
      'court/family-relations': 'subject',
      'nts/income-certificate': 'subject',
      'nts/tax-payment-certificate': 'subject',
      'molit/land-register': 'parcelNumber',
      'molit/building-register': 'address',
    });
    expect([...agencies.values()].every((a) => a.endpoint.baseUrl === undefined)).toBe(true);
  });
});

describe('loadCatalog: defaults', () => {
  it('looks evidence up by the applicant and gives agencies a 5 s timeout unless told otherwise', async () => {
    // Arrange
    const dir = await writeCatalog({});

    // Act
    const catalog = await loadCatalog(dir);

    // Assert
    expect(catalog.petitionTypes.get('sample-petition')!.evidence[0]!.lookup).toBe('applicant');
    expect(catalog.agencies.get('mois')!.endpoint).toEqual({ timeoutMs: 5000 });
    expect(catalog.agencies.get('molit')!.endpoint).toEqual({ timeoutMs: 3000 });
  });

  it('ignores files that are not JSON', async () => {
    // Arrange
    const dir = await writeCatalog({ agencies: { 'mois.json': agency(), 'molit.json': landAgency(), 'README.md': '# notes' } });

    // Act
    const catalog = await loadCatalog(dir);

    // Assert
    expect(catalog.agencies.size).toBe(2);
  });
});

describe('loadCatalog: refuses a broken file', () => {
  it('reports invalid JSON with its line and column', async () => {
    // Arrange
    const dir = await writeCatalog({ agencies: { 'mois.json': '{\n  "id": "mois",\n  "name": }\n', 'molit.json': landAgency() } });

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.name).toBe('CatalogError');
    expect(error.file).toBe(join(dir, 'agencies', 'mois.json'));
    expect(error.path).toBe('$');
    expect(error.reason).toMatch(/^invalid JSON at line 3, column 11/);
    expect(error.message).toBe(`${error.file}: $: ${error.reason}`);
  });

  it('reports a schema violation with its path and the value received', async () => {
    // Arrange
    const dir = await catalogWithType(petitionType({ assuranceLevel: 'medium' }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.file).toBe(join(dir, 'petition-types', 'sample-petition.json'));
    expect(error.path).toBe('assuranceLevel');
    expect(error.reason).toContain('"low"|"substantial"|"high"');
    expect(error.reason).toContain('received "medium"');
  });

  it('refuses a misspelt key', async () => {
    // Arrange
    const type = petitionType();
    (type.fields as Json[])[1] = { name: 'parcelNumber', label: { ko: '지번', en: 'Parcel' }, type: 'string', requierd: true, maxLength: 21 };
    const dir = await catalogWithType(type);

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('fields[1].required');
    expect(error.reason).toContain('also: fields[1].requierd: unknown key');
  });

  it('refuses a key that does not apply to the field type', async () => {
    // Arrange
    const type = petitionType();
    (type.fields as Json[]).push({ name: 'married', label: { ko: '혼인', en: 'Married' }, type: 'boolean', required: false, maxLength: 5 });
    const dir = await catalogWithType(type);

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('fields[2].maxLength');
    expect(error.reason).toBe('"maxLength" does not apply to a field of type "boolean"');
  });

  it('refuses an agency without documents', async () => {
    // Arrange
    const dir = await writeCatalog({ agencies: { 'mois.json': agency({ documents: [] }), 'molit.json': landAgency() } });

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.file).toBe(join(dir, 'agencies', 'mois.json'));
    expect(error.path).toBe('documents');
    expect(error.reason).toMatch(/>=1/);
  });

  it('refuses an id that differs from the file name', async () => {
    // Arrange
    const dir = await catalogWithType(petitionType({ id: 'other-petition' }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('id');
    expect(error.reason).toBe('expected "sample-petition" (the file name), received "other-petition"');
  });

  it('refuses duplicate field names', async () => {
    // Arrange
    const type = petitionType();
    (type.fields as Json[]).push({ ...(type.fields as Json[])[0]! });
    const dir = await catalogWithType(type);

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('fields[2].name');
    expect(error.reason).toBe('duplicate field name "accountNumber" (already at index 0)');
  });

  it('refuses a condition that is both a comparison and a group', async () => {
    // Arrange
    const rule = { id: 'odd', when: { fact: 'applicant.age', op: 'lt', value: 1, all: [{ fact: 'applicant.age', op: 'exists' }] }, outcome: 'reject', reason: { ko: '가', en: 'a' } };
    const dir = await catalogWithType(petitionType({ rules: [rule] }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('rules[0].when');
    expect(error.reason).toBe('expected exactly one of "all", "any", "not" or "fact", received "all", "fact"');
  });

  it('refuses a comparison with neither value nor valueFact', async () => {
    // Arrange
    const rule = { id: 'odd', when: { not: { fact: 'applicant.age', op: 'gte' } }, outcome: 'reject', reason: { ko: '가', en: 'a' } };
    const dir = await catalogWithType(petitionType({ rules: [rule] }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('rules[0].when.not');
    expect(error.reason).toBe('"gte" needs exactly one of "value" or "valueFact"');
  });
});

describe('loadCatalog: refuses broken references', () => {
  const evidenceWith = (index: number, change: Json) => {
    const type = petitionType();
    const evidence = type.evidence as Json[];
    evidence[index] = { ...evidence[index], ...change };
    return type;
  };

  it('refuses evidence from an agency that does not exist', async () => {
    // Arrange
    const dir = await catalogWithType(evidenceWith(1, { agency: 'kepco' }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('evidence[1].agency');
    expect(error.reason).toBe('unknown agency "kepco"; known agencies: mois, molit');
  });

  it('refuses a document type the agency does not issue', async () => {
    // Arrange
    const dir = await catalogWithType(evidenceWith(0, { documentType: 'family-relations' }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('evidence[0].documentType');
    expect(error.reason).toBe('agency "mois" does not issue "family-relations" (it issues: resident-registration)');
  });

  it('refuses a requested field the document does not offer', async () => {
    // Arrange
    const dir = await catalogWithType(evidenceWith(0, { fields: ['birthDate', 'monthlyIncome'] }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('evidence[0].fields[1]');
    expect(error.reason).toBe('"resident-registration" has no field "monthlyIncome" (it offers: name, birthDate, address)');
  });

  it('refuses a lookup by a field the petition type does not declare', async () => {
    // Arrange
    const dir = await catalogWithType(evidenceWith(1, { lookup: 'field:lotNumber' }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('evidence[1].lookup');
    expect(error.reason).toBe('unknown field "lotNumber"; declared fields: accountNumber, parcelNumber');
  });

  it('refuses to look up a parcel document by the applicant', async () => {
    // Arrange
    const dir = await catalogWithType(evidenceWith(1, { lookup: 'applicant' }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('evidence[1].lookup');
    expect(error.reason).toContain('"land-register" is looked up by parcelNumber');
  });

  it('refuses a rule reading an undeclared field', async () => {
    // Arrange
    const rule = {
      id: 'cheap',
      when: { any: [{ fact: 'applicant.age', op: 'lt', value: 65 }, { fact: 'fields.price', op: 'lt', value: 1 }] },
      outcome: 'reject',
      reason: { ko: '가', en: 'a' },
    };
    const dir = await catalogWithType(petitionType({ rules: [rule] }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('rules[0].when.any[1].fact');
    expect(error.reason).toBe('unknown field "price" in "fields.price"; declared fields: accountNumber, parcelNumber');
  });

  it('refuses a rule comparing with an evidence field that is never requested', async () => {
    // Arrange
    const rule = { id: 'owner', when: { fact: 'evidence.landRecord.ownerName', op: 'ne', valueFact: 'evidence.residentRecord.name' }, outcome: 'reject', reason: { ko: '가', en: 'a' } };
    const dir = await catalogWithType(petitionType({ rules: [rule] }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('rules[0].when.valueFact');
    expect(error.reason).toBe('evidence "residentRecord" does not request "name" (requested: birthDate, address)');
  });

  it('refuses a rule reading unknown evidence', async () => {
    // Arrange
    const rule = { id: 'x', when: { fact: 'evidence.income.monthlyIncome', op: 'gt', value: 1 }, outcome: 'reject', reason: { ko: '가', en: 'a' } };
    const dir = await catalogWithType(petitionType({ rules: [rule] }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('rules[0].when.fact');
    expect(error.reason).toBe('unknown evidence "income" in "evidence.income.monthlyIncome"; declared evidence: residentRecord, landRecord');
  });

  it('refuses a review rule when the type has no review section', async () => {
    // Arrange
    const rule = { id: 'look', when: { fact: 'applicant.age', op: 'gt', value: 100 }, outcome: 'review', reason: { ko: '가', en: 'a' } };
    const dir = await catalogWithType(petitionType({ rules: [rule] }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('rules[0].outcome');
  });

  it('refuses a handling agency that does not exist', async () => {
    // Arrange
    const dir = await catalogWithType(petitionType({ handlingAgency: 'mohw' }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('handlingAgency');
    expect(error.reason).toBe('unknown agency "mohw"; known agencies: mois, molit');
  });

  it('refuses to notify an agency that does not exist', async () => {
    // Arrange
    const dir = await catalogWithType(petitionType({ notify: ['nps'] }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('notify[0]');
    expect(error.reason).toBe('unknown agency "nps"; known agencies: mois, molit');
  });

  it('refuses an example whose fields do not pass the type\'s own validation', async () => {
    // Arrange
    const dir = await catalogWithType(petitionType({ example: { subject: 'demo-kim-younghee', fields: { accountNumber: '302 1234', parcelNumber: '2611010100-10123-0000' } } }));

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.path).toBe('example.fields.accountNumber');
    expect(error.reason).toBe('expected text matching ^[0-9-]+$, received "302 1234"');
  });

  it('reports a missing directory', async () => {
    // Arrange
    const dir = await mkdtemp(join(tmpdir(), 'hanbeon-catalog-'));
    tempDirs.push(dir);

    // Act
    const error = await catalogErrorOf(dir);

    // Assert
    expect(error.file).toBe(join(dir, 'agencies'));
    expect(error.reason).toContain('ENOENT');
  });
});
