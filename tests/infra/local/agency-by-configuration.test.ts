/**
 * A real agency replaces a simulator by configuration, not code: with HANBEON_AGENCIES naming an
 * outside agency's base URL and credential, the platform fetches from it and starts no simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPopulation } from '../../../infra/local/population.ts';
import { startSimulatedAgency, type SimulatedAgency } from '../../../infra/local/simulated-agencies/index.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

let outside: SimulatedAgency; // stands in for the real 국세청 endpoint: another server, its own key
let t: TestPlatform;
beforeAll(async () => {
  outside = await startSimulatedAgency({ id: 'nts', population: createPopulation(), credential: 'issued-to-hanbeon' });
  t = await startTestPlatform({ HANBEON_AGENCIES: JSON.stringify({ nts: { baseUrl: outside.baseUrl, credential: 'issued-to-hanbeon' } }) });
});
afterAll(async () => {
  await t.close();
  await outside.close();
});

describe('an agency configured by URL', () => {
  it('is used instead of a simulator, with the configured credential and its published keys', async () => {
    const token = await t.token('demo-kim-younghee');

    const { id } = (await (await t.submit(token, t.exampleBody('basic-pension'))).json()) as { id: string };
    const petition = await t.waitForStatus(token, id, ['COMPLETED', 'FAILED', 'REJECTED']);

    expect(petition.status).toBe('COMPLETED');
    expect(outside.requestCount()).toBe(1);
    expect([...t.platform.agencies.keys()].sort()).toEqual(['court', 'mois', 'molit']);
  });

  it('records the consent each document was retrieved under: citizen, document, agency, purpose and time', async () => {
    const token = await t.token('demo-kim-younghee');
    const { id } = (await (await t.submit(token, t.exampleBody('basic-pension'))).json()) as { id: string };
    await t.waitForStatus(token, id, ['COMPLETED']);

    const records = await t.platform.store.listEvidence(id);

    expect(records.map((r) => [r.evidenceId, r.agency, r.documentType]).sort()).toEqual([
      ['familyRelations', 'court', 'family-relations'],
      ['income', 'nts', 'income-certificate'],
      ['residentRecord', 'mois', 'resident-registration'],
    ]);
    for (const record of records) {
      expect(record).toMatchObject({ subject: 'demo-kim-younghee', purpose: id });
      expect(Date.parse(record.consentedAt)).toBeLessThanOrEqual(Date.parse(record.retrievedAt));
    }
  });
});
