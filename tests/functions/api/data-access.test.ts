/**
 * GET /v1/me/data-access on the embedded platform: a citizen sees who retrieved which of their
 * documents (issuing agency, petition, time, consent) and which agency read their petitions —
 * newest first, page by page — and never another citizen's records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

let t: TestPlatform;
let kim: { token: string; id: string };
let park: { token: string; id: string };

interface Entry {
  kind: 'evidence-retrieval' | 'agency-access';
  at: string;
  petitionId: string;
  agency: { id: string; name: { ko: string } };
  document?: { id: string; type: string; name: { ko: string } };
  consent?: { grantedAt: string; digest: string };
  resource?: string;
  auditRecord: { id: string; seq?: number };
}
interface Page {
  entries: Entry[];
  cursor?: string;
}

const dataAccess = (token: string | undefined, query = '') =>
  fetch(`${t.url}/v1/me/data-access${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

const allPages = async (token: string, limit: number): Promise<Entry[][]> => {
  const pages: Entry[][] = [];
  let cursor: string | undefined;
  do {
    const answer = await dataAccess(token, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(answer.status).toBe(200);
    const page = (await answer.json()) as Page;
    pages.push(page.entries);
    cursor = page.cursor;
  } while (cursor);
  return pages;
};

beforeAll(async () => {
  t = await startTestPlatform({ HANBEON_AUDIT_CHAIN_INTERVAL_MS: '100' });
  kim = await t.submitExample('basic-pension', 'demo-kim-younghee');
  park = await t.submitExample('move-in-report', 'demo-park-jiwoo');
  await t.waitForStatus(kim.token, kim.id, ['COMPLETED', 'REJECTED', 'FAILED', 'AWAITING_REVIEW']);
  await t.waitForStatus(park.token, park.id, ['COMPLETED', 'REJECTED', 'FAILED', 'AWAITING_REVIEW']);
  // The handling agency reads kim's petition and its result.
  const key = ((await (await fetch(`${t.url}/dev/agencies/mois/api-keys`, { method: 'POST' })).json()) as { key: string }).key;
  for (const path of [`/v1/agency/petitions/${kim.id}`, `/v1/agency/petitions/${kim.id}/result.pdf`]) {
    expect((await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  }
  await t.platform.auditLoop.flush();
});

afterAll(async () => {
  await t?.close();
});

describe('GET /v1/me/data-access', () => {
  it('lists every retrieval of my documents and every agency read of my petition, newest first, with their audit records', async () => {
    const answer = await dataAccess(kim.token);
    const { entries } = (await answer.json()) as Page;

    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const retrievals = entries.filter((e) => e.kind === 'evidence-retrieval');
    const reads = entries.filter((e) => e.kind === 'agency-access');
    const type = t.platform.catalog.petitionTypes.get('basic-pension')!;
    expect(retrievals.map((e) => e.document!.id).sort()).toEqual(type.evidence.map((e) => e.id).sort());
    for (const retrieval of retrievals) {
      const requirement = type.evidence.find((e) => e.id === retrieval.document!.id)!;
      expect(retrieval).toMatchObject({ petitionId: kim.id, agency: { id: requirement.agency, name: t.platform.catalog.agencies.get(requirement.agency)!.name }, document: { type: requirement.documentType, name: requirement.name } });
      expect(retrieval.consent!.digest).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(reads.map((e) => [e.agency.id, e.resource, e.petitionId])).toEqual([
      ['mois', 'result', kim.id],
      ['mois', 'petition', kim.id],
    ]);
    expect(entries.map((e) => e.at)).toEqual(entries.map((e) => e.at).sort().reverse());
    // Chained by now: each entry names the record an auditor finds in an export.
    for (const entry of entries) expect(entry.auditRecord.seq).toBeGreaterThan(0);
  });

  it("never shows another citizen's records", async () => {
    const [kimEntries, parkEntries] = await Promise.all([allPages(kim.token, 100), allPages(park.token, 100)]);

    expect(kimEntries.flat().every((e) => e.petitionId === kim.id)).toBe(true);
    expect(parkEntries.flat().length).toBeGreaterThan(0);
    expect(parkEntries.flat().every((e) => e.petitionId === park.id)).toBe(true);
  });

  it('pages with a cursor: each entry once, in the same order as one page', async () => {
    const [whole] = await allPages(kim.token, 100);
    const pages = await allPages(kim.token, 2);

    expect(pages.length).toBe(Math.ceil(whole!.length / 2));
    expect(pages.flat().map((e) => e.auditRecord.id)).toEqual(whole!.map((e) => e.auditRecord.id));
  });

  it("refuses a cursor of another citizen's listing, and a limit out of range, as problems", async () => {
    const parkPage = (await (await dataAccess(park.token, '?limit=1')).json()) as Page;

    const stolen = await dataAccess(kim.token, `?cursor=${encodeURIComponent(parkPage.cursor!)}`);
    const tooMany = await dataAccess(kim.token, '?limit=1000');

    expect(stolen.status).toBe(422);
    expect(stolen.headers.get('content-type')).toBe('application/problem+json');
    expect(((await stolen.json()) as { type: string }).type).toBe('https://hanbeon.dev/problems/validation-failed');
    expect(tooMany.status).toBe(422);
  });

  it('answers 401 without a token', async () => {
    const answer = await dataAccess(undefined);

    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { type: string }).type).toBe('https://hanbeon.dev/problems/unauthorized');
  });
});
