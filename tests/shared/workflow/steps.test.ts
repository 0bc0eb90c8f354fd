/**
 * The workflow steps against the real store (dynalite) and a directory object store: journaled
 * (a finished step is never repeated) and safe when two copies of one step overlap.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateAgencySigningKey, type AgencySigningKey } from '../../../infra/local/simulated-agencies/index.ts';
import { defaultTemplatesDir, loadCatalog } from '../../../shared/catalog/load.ts';
import type { EvidenceQuery, EvidenceSource, IssuedDocument } from '../../../shared/evidence/ports.ts';
import type { Petition } from '../../../shared/petition/model.ts';
import { DirectoryObjectStore } from '../../../shared/store/directory-object-store.ts';
import { DynamoAuditStore } from '../../../shared/store/dynamo-audit-store.ts';
import { DynamoPetitionStore } from '../../../shared/store/index.ts';
import { decidePetition, evidenceObjectKey, fetchEvidence, verifyIdentity, type StepDeps } from '../../../shared/workflow/steps.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';
import { basicPensionPetition } from '../../support/petitions.ts';

const dynamo = useLocalDynamo();
let deps: StepDeps;
let key: AgencySigningKey;
let issued = 0;

/** An agency that issues a fresh document (new number and time) on every request, like a real one. */
const freshDocuments: EvidenceSource = {
  async fetch(query: EvidenceQuery): Promise<IssuedDocument> {
    issued++;
    const fields: Record<string, unknown> = { birthDate: '1954-03-15', address: '서울특별시 종로구 세종대로 209', maritalStatus: 'widowed', spouseName: null, monthlyIncome: 850_000 };
    const payload = {
      issuer: query.agency,
      documentType: query.documentType,
      subject: query.subject,
      documentNumber: `N-${issued}`,
      issuedAt: new Date(Date.now() + issued).toISOString(),
      fields: Object.fromEntries(query.fields.map((f) => [f, fields[f] ?? null])),
    };
    const raw = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.privateKey);
    return { raw, payload };
  },
};

beforeAll(async () => {
  const tableName = await dynamo.table('steps');
  key = await generateAgencySigningKey();
  deps = {
    store: new DynamoPetitionStore({ client: dynamo.documents(), tableName }),
    objects: new DirectoryObjectStore(await mkdtemp(join(tmpdir(), 'hanbeon-objects-'))),
    evidence: freshDocuments,
    catalog: await loadCatalog(defaultTemplatesDir),
    clock: () => new Date(),
    audit: new DynamoAuditStore({ client: dynamo.documents(), tableName }),
  };
});

const newPetition = async (): Promise<Petition> => {
  const petition = basicPensionPetition('RECEIVED', new Date());
  await deps.store.createPetition(petition);
  return petition;
};

describe('workflow steps', () => {
  it('returns a finished step’s recorded result without acting again', async () => {
    const petition = await newPetition();
    await verifyIdentity({ petitionId: petition.id }, deps);
    const before = issued;

    const first = await fetchEvidence({ petitionId: petition.id, evidenceId: 'income' }, deps);
    const replayed = await fetchEvidence({ petitionId: petition.id, evidenceId: 'income' }, deps);

    expect(replayed).toEqual(first);
    expect(issued - before).toBe(1);
  });

  it('lets two overlapping copies of one fetch agree on one document, which the decision then uses', async () => {
    const petition = await newPetition();
    const verified = await verifyIdentity({ petitionId: petition.id }, deps);

    const results = await Promise.all(verified.evidenceIds.flatMap((evidenceId) => [fetchEvidence({ petitionId: petition.id, evidenceId }, deps), fetchEvidence({ petitionId: petition.id, evidenceId }, deps)]));
    const decision = await decidePetition({ petitionId: petition.id, evidence: results.filter((_, i) => i % 2 === 0) }, deps);

    for (let i = 0; i < results.length; i += 2) expect(results[i]).toEqual(results[i + 1]);
    expect(decision.outcome).toBe('approve');
  });

  it('refuses to fetch a document the citizen did not consent to', async () => {
    const petition = await newPetition();
    const noConsent = { ...petition, id: randomUUID(), consent: { documents: ['residentRecord'], grantedAt: petition.createdAt } };
    await deps.store.createPetition(noConsent);
    const before = issued;

    await expect(fetchEvidence({ petitionId: noConsent.id, evidenceId: 'income' }, deps)).rejects.toMatchObject({ name: 'ConsentMissingError' });
    expect(issued).toBe(before);
  });

  it('refuses to decide on a stored document that was altered after retrieval', async () => {
    const petition = await newPetition();
    const verified = await verifyIdentity({ petitionId: petition.id }, deps);
    const evidence = await Promise.all(verified.evidenceIds.map((evidenceId) => fetchEvidence({ petitionId: petition.id, evidenceId }, deps)));
    const tampered = evidence.map((e, i) => (i === 0 ? { ...e, sha256: '0'.repeat(64) } : e));

    await expect(decidePetition({ petitionId: petition.id, evidence: tampered }, deps)).rejects.toMatchObject({ name: 'EvidenceIntegrityError', message: expect.stringMatching(/missing or does not match/) });
  });

  it('refuses to decide when the stored bytes of a document were changed on disk', async () => {
    const petition = await newPetition();
    const verified = await verifyIdentity({ petitionId: petition.id }, deps);
    const evidence = await Promise.all(verified.evidenceIds.map((evidenceId) => fetchEvidence({ petitionId: petition.id, evidenceId }, deps)));
    const income = evidence.find((e) => e.evidenceId === 'income')!;
    const key = evidenceObjectKey(petition.id, 'income', income.sha256);
    const original = new TextDecoder().decode(await deps.objects.get(key));
    const [header, , signature] = original.split('.');
    const richer = Buffer.from(JSON.stringify({ monthlyIncome: 1 })).toString('base64url');
    await deps.objects.put(key, new TextEncoder().encode(`${header}.${richer}.${signature}`), 'application/jose');

    await expect(decidePetition({ petitionId: petition.id, evidence }, deps)).rejects.toMatchObject({ name: 'EvidenceIntegrityError', message: expect.stringMatching(/missing or does not match/) });
  });
});
