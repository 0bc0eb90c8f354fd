/**
 * Workflow steps record their facts idempotently: a step that dies after recording but before its
 * journal entry is replayed from the start (DESIGN §4), and the trail still holds each fact once.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditChainer, type ChainedRecord } from '../../../shared/audit/index.ts';
import { defaultTemplatesDir, loadCatalog } from '../../../shared/catalog/load.ts';
import { DirectoryObjectStore } from '../../../shared/store/directory-object-store.ts';
import { DynamoPetitionStore } from '../../../shared/store/index.ts';
import type { PetitionStore, StepRecord } from '../../../shared/store/ports.ts';
import { recordedTransition } from '../../../shared/workflow/step-journal.ts';
import { verifyIdentity, type StepDeps } from '../../../shared/workflow/steps.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';
import { basicPensionPetition } from '../../support/petitions.ts';
import { givenAuditStore } from './audit-fixtures.ts';

const dynamo = useLocalDynamo();

describe('audit records of a replayed step', () => {
  it('holds each status once when a step dies after recording and is replayed', async () => {
    const audit = await givenAuditStore(dynamo);
    const store = new DynamoPetitionStore({ client: dynamo.documents(), tableName: await dynamo.table('replay') });
    const petition = basicPensionPetition('RECEIVED', new Date());
    await store.createPetition(petition);
    // The first run dies just before its journal entry is written: every side effect already happened.
    let dies = true;
    const dying: PetitionStore = Object.assign(Object.create(store) as PetitionStore, {
      putStepRecord: async (record: StepRecord) => {
        if (dies) {
          dies = false;
          throw new Error('process killed');
        }
        return store.putStepRecord(record);
      },
    });
    const catalog = await loadCatalog(defaultTemplatesDir);
    const deps = (petitions: PetitionStore): StepDeps => ({
      store: petitions,
      objects: new DirectoryObjectStore(join(tmpdir(), 'hanbeon-unused-objects')),
      evidence: { fetch: () => Promise.reject(new Error('VerifyIdentity fetches nothing')) },
      catalog,
      clock: () => new Date(),
      audit,
    });

    await expect(verifyIdentity({ petitionId: petition.id }, deps(dying))).rejects.toThrow('process killed');
    await verifyIdentity({ petitionId: petition.id }, deps(store));
    await new AuditChainer({ store: audit, seal: async () => ({ signature: '', certificate: '', chain: [], timestampToken: '' }), clock: () => new Date(), checkpointIntervalMs: 1e12 }).run();

    const records: ChainedRecord[] = await audit.readPetitionChain(petition.id);
    expect(records.map((r) => r.record.id)).toEqual([
      `status:${petition.id}:RECEIVED`,
      `status:${petition.id}:VERIFYING_IDENTITY`,
      `status:${petition.id}:RETRIEVING_EVIDENCE`,
    ]);
  });

  it('records no status the status machine refuses', async () => {
    const audit = await givenAuditStore(dynamo);
    const store = new DynamoPetitionStore({ client: dynamo.documents(), tableName: await dynamo.table('refused') });
    const petition = basicPensionPetition('COMPLETED', new Date());
    await store.createPetition(petition);

    await expect(recordedTransition({ store, clock: () => new Date(), audit }, petition, 'RETRIEVING_EVIDENCE')).rejects.toThrow();

    expect((await audit.listPending(100)).map((e) => e.id)).toEqual([]);
  });
});
