import { compactVerify, createLocalJWKSet } from 'jose';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createPopulation, type Population } from '../../../infra/local/population.ts';
import { createFaultSchedule, type FaultPlan } from '../../../infra/local/simulated-agencies/faults.ts';
import {
  agencyConnectionsFor,
  startSimulatedAgencies,
  startSimulatedAgency,
  type SimulatedAgency,
  type SimulatedAgencyOptions,
} from '../../../infra/local/simulated-agencies/index.ts';
import type { IssuedDocumentPayload } from '../../../shared/evidence/ports.ts';

// --- factories -------------------------------------------------------------------------------

const NOW = new Date('2026-11-24T03:00:00.000Z');
const population = createPopulation();

const givenAgency = async (id = 'mois', overrides: Partial<SimulatedAgencyOptions> = {}): Promise<SimulatedAgency> => {
  const agency = await startSimulatedAgency({ id, population, credential: 'platform-credential', clock: () => NOW, ...overrides });
  onTestFinished(() => agency.close());
  return agency;
};

const givenFailingAgency = (faults: FaultPlan) => givenAgency('mois', { faults });

interface DocumentRequestBody {
  lookupKey: string;
  subject: string;
  fields: string[];
  purpose: string;
  consentedAt: string;
}

const requestFor = (subject: string, fields: string[], overrides: Partial<DocumentRequestBody> = {}): DocumentRequestBody => ({
  lookupKey: subject,
  subject,
  fields,
  purpose: 'petition-0001',
  consentedAt: '2026-11-24T02:59:00.000Z',
  ...overrides,
});

const residentRegistrationOf = (subject: string) => requestFor(subject, ['name', 'birthDate', 'address', 'moveInDate', 'householdHead']);

const post = (agency: SimulatedAgency, documentType: string, body: unknown, options: { credential?: string; signal?: AbortSignal } = {}) =>
  fetch(`${agency.baseUrl}/documents/${documentType}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.credential ?? agency.credential}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });

/** Reads a 200 answer the way an independent verifier would: jose and the published JWKS only. */
const documentFrom = async (agency: SimulatedAgency, response: Response): Promise<IssuedDocumentPayload> => {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/jose');
  const { payload, protectedHeader } = await compactVerify(await response.text(), createLocalJWKSet(agency.jwks));
  expect(protectedHeader.alg).toBe('ES256');
  return JSON.parse(new TextDecoder().decode(payload)) as IssuedDocumentPayload;
};

const issue = async (agency: SimulatedAgency, documentType: string, body: DocumentRequestBody) =>
  documentFrom(agency, await post(agency, documentType, body));

/** Runs `task` over `items` with at most `width` in flight, keeping the order of results. */
const inBatches = async <T, R>(items: T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(task))));
  return results;
};

const syntheticSubjects = (p: Population) => Array.from({ length: p.size - p.demo().length }, (_, i) => p.at(i).subject);

// --- protocol --------------------------------------------------------------------------------

describe('simulated agency protocol', () => {
  it('publishes its ES256 public key, and only the public half, as a JWKS', async () => {
    const agency = await givenAgency();

    const response = await fetch(`${agency.baseUrl}/.well-known/jwks.json`);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };

    expect(response.status).toBe(200);
    expect(jwks).toEqual(agency.jwks);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(typeof jwks.keys[0]!.kid).toBe('string');
  });

  it('issues a resident registration signed with the published key, about the consenting citizen', async () => {
    const agency = await givenAgency('mois');

    const document = await issue(agency, 'resident-registration', residentRegistrationOf('demo-kim-younghee'));

    expect(document).toEqual({
      issuer: 'mois',
      documentType: 'resident-registration',
      subject: 'demo-kim-younghee',
      documentNumber: expect.stringMatching(/^MOIS-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/),
      issuedAt: NOW.toISOString(),
      fields: { name: '김영희', birthDate: '1954-03-15', address: '서울특별시 종로구 세종대로 209', moveInDate: '1998-05-02', householdHead: true },
    });
  });

  it('returns only the requested fields (data minimisation)', async () => {
    const agency = await givenAgency('mois');

    const document = await issue(agency, 'resident-registration', requestFor('demo-kim-younghee', ['birthDate']));

    expect(document.fields).toEqual({ birthDate: '1954-03-15' });
  });

  it('answers 400 when asked for a field the document does not have', async () => {
    const agency = await givenAgency('mois');

    const response = await post(agency, 'resident-registration', requestFor('demo-kim-younghee', ['name', 'residentRegistrationNumber']));

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 400 to a body that is not a document request', async () => {
    const agency = await givenAgency('mois');

    const notJson = await post(agency, 'resident-registration', '{"lookupKey":');
    const missingFields = await post(agency, 'resident-registration', { lookupKey: 'demo-kim-younghee', subject: 'demo-kim-younghee' });

    expect(notJson.status).toBe(400);
    expect(missingFields.status).toBe(400);
  });

  it("answers 400 when a citizen's document is looked up under another citizen's consent", async () => {
    const agency = await givenAgency('mois');

    const response = await post(agency, 'resident-registration', requestFor('demo-lee-cheolsu', ['name'], { lookupKey: 'demo-kim-younghee' }));

    expect(response.status).toBe(400);
  });

  it('answers 400, not 404, for a document type the agency does not issue', async () => {
    const agency = await givenAgency('mois');

    const response = await post(agency, 'land-register', requestFor('demo-kim-younghee', ['ownerName']));

    expect(response.status).toBe(400);
  });

  it('answers 404 with a problem document when it has no record of the subject', async () => {
    const agency = await givenAgency('mois');

    const ghost = await post(agency, 'resident-registration', residentRegistrationOf('ghost-0001'));
    const stranger = await post(agency, 'resident-registration', residentRegistrationOf('citizen-99999'));

    expect(ghost.status).toBe(404);
    expect(ghost.headers.get('content-type')).toBe('application/problem+json');
    expect(await ghost.json()).toMatchObject({ status: 404, title: 'No record' });
    expect(stranger.status).toBe(404);
  });

  it('answers 401 to a wrong or missing credential', async () => {
    const agency = await givenAgency('mois');

    const wrong = await post(agency, 'resident-registration', residentRegistrationOf('demo-kim-younghee'), { credential: 'guessed' });
    const missing = await fetch(`${agency.baseUrl}/documents/resident-registration`, { method: 'POST', body: JSON.stringify(residentRegistrationOf('demo-kim-younghee')) });

    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.status).toBe(401);
  });

  it('refuses to start as an agency it does not know', async () => {
    await expect(startSimulatedAgency({ id: 'nis', population, credential: 'x' })).rejects.toThrow(/unknown agency id 'nis'/);
  });
});

// --- records ---------------------------------------------------------------------------------

describe('simulated agency records', () => {
  it("shows a married demo citizen's spouse, and null where a widowed one has none", async () => {
    const court = await givenAgency('court');
    const fields = ['name', 'maritalStatus', 'spouseName'];

    const lee = await issue(court, 'family-relations', requestFor('demo-lee-cheolsu', fields));
    const kim = await issue(court, 'family-relations', requestFor('demo-kim-younghee', fields));

    expect(lee.fields).toEqual({ name: '이철수', maritalStatus: 'married', spouseName: '정순자' });
    expect(kim.fields).toEqual({ name: '김영희', maritalStatus: 'widowed', spouseName: null });
  });

  it("certifies demo citizens' income for the previous year and their tax arrears", async () => {
    const nts = await givenAgency('nts');

    const income = await issue(nts, 'income-certificate', requestFor('demo-park-jiwoo', ['monthlyIncome', 'assessedYear']));
    const arrears = await issue(nts, 'tax-payment-certificate', requestFor('demo-choi-minsu', ['name', 'taxArrears']));
    const clean = await issue(nts, 'tax-payment-certificate', requestFor('demo-kim-younghee', ['taxArrears']));

    expect(income.fields).toEqual({ monthlyIncome: 4_200_000, assessedYear: 2025 });
    expect(arrears.fields).toEqual({ name: '최민수', taxArrears: true });
    expect(clean.fields).toEqual({ taxArrears: false });
  });

  it('takes the assessed year from the calendar in Seoul, where the new year starts nine hours earlier', async () => {
    const nts = await givenAgency('nts', { clock: () => new Date('2026-12-31T16:00:00Z') }); // 2027-01-01 01:00 KST

    const income = await issue(nts, 'income-certificate', requestFor('demo-park-jiwoo', ['assessedYear']));

    expect(income.fields).toEqual({ assessedYear: 2026 });
  });

  it("names a citizen as the owner of a parcel listed among the citizen's parcels", async () => {
    const molit = await givenAgency('molit');
    const synthOwner = syntheticSubjects(population).map((s) => population.get(s)!).find((c) => c.parcels.length > 0)!;

    const park = await issue(molit, 'land-register', requestFor('demo-park-jiwoo', ['parcelNumber', 'ownerName'], { lookupKey: '3017011200-10045-0003' }));
    const synthetic = await issue(molit, 'land-register', requestFor('demo-park-jiwoo', ['ownerName'], { lookupKey: synthOwner.parcels[0]! }));

    expect(park.fields).toEqual({ parcelNumber: '3017011200-10045-0003', ownerName: '박지우' });
    expect(park.subject).toBe('demo-park-jiwoo');
    expect(synthetic.fields).toEqual({ ownerName: synthOwner.name });
  });

  it('registers any other well-formed parcel to a deterministic owner with an integer official price', async () => {
    const molit = await givenAgency('molit');
    const land = requestFor('demo-park-jiwoo', ['ownerName', 'landCategory', 'areaSquareMeters', 'officialPrice'], { lookupKey: '4113510900-10777-0012' });

    const first = await issue(molit, 'land-register', land);
    const second = await issue(molit, 'land-register', land);

    expect(first.fields).toEqual(second.fields);
    expect(['대', '전', '답', '임야']).toContain(first.fields.landCategory);
    expect(first.fields.areaSquareMeters).toBeGreaterThan(0);
    expect(Number.isInteger(first.fields.officialPrice)).toBe(true);
    expect(first.fields.ownerName).toMatch(/^[가-힣]{3}$/);
  });

  it('has no land record for parcels in the unregistered 0000 range or malformed parcel numbers', async () => {
    const molit = await givenAgency('molit');

    const unregistered = await post(molit, 'land-register', requestFor('demo-park-jiwoo', ['ownerName'], { lookupKey: '0000000000-10001-0000' }));
    const malformed = await post(molit, 'land-register', requestFor('demo-park-jiwoo', ['ownerName'], { lookupKey: 'lot 12' }));

    expect(unregistered.status).toBe(404);
    expect(malformed.status).toBe(404);
  });

  it('registers buildings with 상가 in the address as commercial and others as residential', async () => {
    const molit = await givenAgency('molit');
    const building = (address: string) => requestFor('demo-park-jiwoo', ['address', 'mainUse', 'approvedAt'], { lookupKey: address });

    const shop = await issue(molit, 'building-register', building('대전광역시 서구 둔산로 100 둔산상가 1층'));
    const home = await issue(molit, 'building-register', building('대전광역시 서구 둔산로 100'));

    expect(shop.fields).toMatchObject({ address: '대전광역시 서구 둔산로 100 둔산상가 1층', mainUse: 'commercial' });
    expect(['detached-house', 'apartment', 'officetel']).toContain(home.fields.mainUse);
    expect(home.fields.approvedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('has no building record for an address outside the 17 시/도', async () => {
    const molit = await givenAgency('molit');

    const response = await post(molit, 'building-register', requestFor('demo-park-jiwoo', ['mainUse'], { lookupKey: '1600 Pennsylvania Avenue' }));

    expect(response.status).toBe(404);
  });
});

// --- population ------------------------------------------------------------------------------

describe('simulated agencies serving the 1,000-citizen population', () => {
  it('issues the same record twice for the same request', async () => {
    const mois = await givenAgency('mois');

    const first = await issue(mois, 'resident-registration', residentRegistrationOf('citizen-00042'));
    const second = await issue(mois, 'resident-registration', residentRegistrationOf('citizen-00042'));

    expect(second).toEqual(first);
  });

  it("serves every citizen's own record, identically across restarts with the same seed", async () => {
    const subjects = syntheticSubjects(population);
    const serveAll = async (p: Population) => {
      const mois = await givenAgency('mois', { population: p });
      const documents = await inBatches(subjects, 50, (s) => issue(mois, 'resident-registration', residentRegistrationOf(s)));
      await mois.close();
      return documents;
    };

    const beforeRestart = await serveAll(population);
    const afterRestart = await serveAll(createPopulation({ seed: 20261124 }));

    expect(subjects).toHaveLength(1000);
    expect(afterRestart).toEqual(beforeRestart);
    for (const [i, document] of beforeRestart.entries()) {
      const citizen = population.at(i);
      expect(document.subject).toBe(citizen.subject);
      expect(document.fields).toEqual({ name: citizen.name, birthDate: citizen.birthDate, address: citizen.address, moveInDate: citizen.moveInDate, householdHead: citizen.householdHead });
    }
  });
});

// --- faults ----------------------------------------------------------------------------------

describe('simulated agency faults', () => {
  const kim = residentRegistrationOf('demo-kim-younghee');

  it('answers 500 and 503 problem documents when told to', async () => {
    const agency = await givenFailingAgency({ mode: 'http-500' });

    const internal = await post(agency, 'resident-registration', kim);
    agency.setFaults({ mode: 'http-503' });
    const maintenance = await post(agency, 'resident-registration', kim);

    expect(internal.status).toBe(500);
    expect(maintenance.status).toBe(503);
    expect(maintenance.headers.get('retry-after')).toBe('1');
  });

  it('accepts a request and never answers in timeout mode, yet closes promptly', async () => {
    const agency = await givenFailingAgency({ mode: 'timeout' });

    const hanging = post(agency, 'resident-registration', kim).catch((error: unknown) => error);
    await expect(post(agency, 'resident-registration', kim, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    const started = Date.now();
    await agency.close();

    expect(Date.now() - started).toBeLessThan(1000);
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('drops the connection without an answer in refuse mode', async () => {
    const agency = await givenFailingAgency({ mode: 'refuse' });

    await expect(post(agency, 'resident-registration', kim)).rejects.toThrow(/fetch failed/);
  });

  it('answers 200 with a body that is not a JWS in malformed mode', async () => {
    const agency = await givenFailingAgency({ mode: 'malformed' });

    const response = await post(agency, 'resident-registration', kim);

    expect(response.status).toBe(200);
    expect(await response.text()).not.toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('signs with a key it did not publish in bad-signature mode', async () => {
    const agency = await givenFailingAgency({ mode: 'bad-signature' });

    const response = await post(agency, 'resident-registration', kim);

    expect(response.status).toBe(200);
    await expect(compactVerify(await response.text(), createLocalJWKSet(agency.jwks))).rejects.toThrow(/signature verification failed/);
  });

  it('fails only the first N requests, then behaves', async () => {
    const agency = await givenFailingAgency({ mode: 'http-503', failFirst: 2 });

    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(agency, 'resident-registration', kim)).status);

    expect(statuses).toEqual([503, 503, 200, 200]);
    expect(agency.requestCount()).toBe(4);
  });

  it('fails the given share of requests, evenly spread', () => {
    const schedule = createFaultSchedule({ mode: 'http-500', failureRate: 0.25 });

    const faults = Array.from({ length: 8 }, () => schedule.next());

    expect(faults).toEqual(['none', 'none', 'none', 'http-500', 'none', 'none', 'none', 'http-500']);
  });

  it('restarts the failure sequence when the plan changes at run time', async () => {
    const agency = await givenFailingAgency({ mode: 'http-500', failFirst: 1 });

    const first = await post(agency, 'resident-registration', kim);
    const second = await post(agency, 'resident-registration', kim);
    agency.setFaults({ mode: 'http-500', failFirst: 1 });
    const third = await post(agency, 'resident-registration', kim);

    expect([first.status, second.status, third.status]).toEqual([500, 200, 500]);
  });

  it('delays answers by the configured latency', async () => {
    const agency = await givenFailingAgency({ latencyMs: 200 });

    const started = Date.now();
    const response = await post(agency, 'resident-registration', kim);

    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('counts document requests but not key fetches', async () => {
    const agency = await givenAgency();

    await fetch(`${agency.baseUrl}/.well-known/jwks.json`);
    await post(agency, 'resident-registration', kim);
    await post(agency, 'resident-registration', kim, { credential: 'wrong' });

    expect(agency.requestCount()).toBe(2);
  });

  it('rejects a fault plan outside its ranges', async () => {
    const agency = await givenAgency();

    expect(() => agency.setFaults({ failureRate: 2 })).toThrow();
  });
});

// --- the set of agencies ---------------------------------------------------------------------

describe('startSimulatedAgencies', () => {
  it('starts each agency on its own port with its own key, and closes them all', async () => {
    const { agencies, close } = await startSimulatedAgencies({ population, agencyIds: ['mois', 'court', 'nts', 'molit'], faults: { nts: { mode: 'http-503' } } });
    onTestFinished(close);

    const connections = agencyConnectionsFor(agencies, { timeoutMs: 2000 });
    const nts = agencies.get('nts')!;
    const ntsAnswer = await post(nts, 'income-certificate', requestFor('demo-kim-younghee', ['monthlyIncome']));

    expect([...agencies.keys()]).toEqual(['mois', 'court', 'nts', 'molit']);
    expect(new Set([...agencies.values()].map((a) => a.baseUrl)).size).toBe(4);
    expect(new Set([...agencies.values()].map((a) => a.jwks.keys[0]!.kid)).size).toBe(4);
    expect(connections.get('court')).toMatchObject({ id: 'court', baseUrl: agencies.get('court')!.baseUrl, timeoutMs: 2000 });
    expect(ntsAnswer.status).toBe(503);
    await close();
    await expect(fetch(`${nts.baseUrl}/.well-known/jwks.json`)).rejects.toThrow();
  });

  it('refuses to start a set that names an agency it does not know', async () => {
    await expect(startSimulatedAgencies({ population, agencyIds: ['mois', 'unknown'] })).rejects.toThrow(/unknown agency id/);
  });
});
