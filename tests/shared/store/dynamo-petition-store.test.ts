import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalDynamoClient, ensureTable, startDynalite } from '../../../infra/local/dynalite.ts';
import type { EvidenceRecord, Petition, PetitionArtifact, PetitionStatus } from '../../../shared/petition/model.ts';
import { DynamoPetitionStore, createDocumentClient, type IdempotencyRecord, type StepRecord } from '../../../shared/store/index.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';

const TABLE = 'hanbeon-test';

const dynamo = useLocalDynamo();

beforeAll(async () => {
  await ensureTable(dynamo.client(), TABLE);
});

const makeStore = (clock?: () => Date) => new DynamoPetitionStore({ client: dynamo.documents(), tableName: TABLE, clock });

const makePetition = (overrides: Partial<Petition> = {}): Petition => {
  const createdAt = overrides.createdAt ?? '2026-11-24T09:00:00.000Z';
  const subject = overrides.subject ?? `citizen-${randomUUID()}`;
  return {
    id: randomUUID(),
    type: 'basic-pension',
    typeVersion: 1,
    subject,
    fields: { address: '서울특별시 종로구 세종대로 209', note: undefined },
    identity: {
      subject,
      name: '김영희',
      birthDate: '1954-03-15',
      issuer: 'http://127.0.0.1/dev/idp',
      assuranceLevel: 'high',
      authenticatedAt: createdAt,
    },
    consent: { documents: ['resident-registration'], grantedAt: createdAt },
    status: 'RECEIVED',
    version: 1,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
};

const makeIdempotencyRecord = (overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
  subject: 'demo-kim-younghee',
  key: randomUUID(),
  requestHash: 'sha256-of-request',
  petitionId: randomUUID(),
  createdAt: '2026-11-24T09:00:00.000Z',
  expiresAt: Date.parse('2026-11-25T09:00:00.000Z') / 1000,
  ...overrides,
});

const makeStepRecord = (overrides: Partial<StepRecord> = {}): StepRecord => ({
  petitionId: randomUUID(),
  stepKey: 'RetrieveEvidence#abc123',
  state: 'RetrieveEvidence',
  startedAt: '2026-11-24T09:00:01.000Z',
  finishedAt: '2026-11-24T09:00:02.000Z',
  result: { documents: [{ evidenceId: 'resident-registration', sha256: 'aa' }] },
  ...overrides,
});

const makeEvidence = (overrides: Partial<EvidenceRecord> = {}): EvidenceRecord => ({
  petitionId: randomUUID(),
  evidenceId: 'resident-registration',
  subject: 'demo-kim-younghee',
  documentType: 'resident-registration-abstract',
  agency: 'mois',
  purpose: 'petition',
  consentedAt: '2026-11-24T09:00:00.000Z',
  retrievedAt: '2026-11-24T09:00:03.000Z',
  sha256: 'ab'.repeat(32),
  objectKey: 'evidence/x.json',
  ...overrides,
});

const collectPages = async <T>(fetchPage: (cursor?: string) => Promise<{ items: T[]; cursor?: string }>) => {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    pages.push(page.items);
    cursor = page.cursor;
  } while (cursor);
  return pages;
};

describe('DynamoPetitionStore: petitions', () => {
  it('creates a petition and reads it back without the table keys', async () => {
    const store = makeStore();
    const petition = makePetition();

    await store.createPetition(petition);
    const stored = await store.getPetition(petition.id);

    const { note: _dropped, ...fields } = petition.fields;
    expect(stored).toEqual({ ...petition, fields });
  });

  it('refuses to create a petition whose id is taken', async () => {
    const store = makeStore();
    const petition = makePetition();
    await store.createPetition(petition);

    await expect(store.createPetition({ ...petition, type: 'other' })).rejects.toMatchObject({ name: 'PetitionAlreadyExistsError' });
    expect((await store.getPetition(petition.id))?.type).toBe('basic-pension');
  });

  it('answers undefined for a petition that does not exist', async () => {
    expect(await makeStore().getPetition(randomUUID())).toBeUndefined();
  });
});

describe('DynamoPetitionStore: transitions', () => {
  it('moves a petition along, bumping version and updatedAt and applying the patch', async () => {
    const store = makeStore(() => new Date('2026-11-24T10:00:00.000Z'));
    const petition = makePetition();
    await store.createPetition(petition);

    await store.transition(petition.id, 'VERIFYING_IDENTITY');
    await store.transition(petition.id, 'DECIDING');
    const decision = { outcome: 'approve' as const, reasons: [{ ruleId: 'age', ko: '만 65세 이상', en: 'aged 65 or over' }], decidedAt: '2026-11-24T10:00:00.000Z' };
    const moved = await store.transition(petition.id, 'SEALING', { decision });

    expect(moved).toMatchObject({ status: 'SEALING', version: 4, updatedAt: '2026-11-24T10:00:00.000Z', decision });
    expect(await store.getPetition(petition.id)).toEqual(moved);
  });

  it('returns the petition unchanged when it already has the status', async () => {
    const store = makeStore();
    const petition = makePetition();
    await store.createPetition(petition);
    const first = await store.transition(petition.id, 'VERIFYING_IDENTITY');

    const again = await store.transition(petition.id, 'VERIFYING_IDENTITY');

    expect(again).toEqual(first);
    expect(again.version).toBe(2);
  });

  it('refuses a transition the status machine forbids', async () => {
    const store = makeStore();
    const petition = makePetition();
    await store.createPetition(petition);
    await store.transition(petition.id, 'FAILED', { failure: { error: 'X', cause: 'y' } });

    const attempt = store.transition(petition.id, 'DECIDING');

    await expect(attempt).rejects.toMatchObject({ name: 'InvalidTransitionError', message: expect.stringContaining('FAILED to DECIDING') });
  });

  it('refuses to move a petition that does not exist', async () => {
    await expect(makeStore().transition(randomUUID(), 'FAILED')).rejects.toMatchObject({ name: 'PetitionNotFoundError' });
  });

  it('keeps the version consistent when 20 racers move the same petition at once', async () => {
    const store = makeStore();
    const petition = makePetition();
    await store.createPetition(petition);
    let writes = 0;
    const documents = dynamo.documents();
    documents.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (context.commandName === 'UpdateItemCommand') writes += 1;
        return output;
      },
      { step: 'initialize', name: 'countWrites' },
    );
    const path: PetitionStatus[] = ['VERIFYING_IDENTITY', 'RETRIEVING_EVIDENCE', 'DECIDING', 'AWAITING_REVIEW', 'SEALING', 'DELIVERING', 'COMPLETED'];

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store.transition(petition.id, path[i % path.length]!)),
    ).finally(() => documents.middlewareStack.remove('countWrites'));

    const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => (o.reason as Error).name);
    expect(failures.every((name) => name === 'InvalidTransitionError' || name === 'VersionConflictError')).toBe(true);
    const final = await store.getPetition(petition.id);
    expect(final?.version).toBe(1 + writes);
    expect(writes).toBeGreaterThan(0);
    const versions = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.version] : []));
    expect(Math.max(...versions)).toBeLessThanOrEqual(final!.version);
  });
});

describe('DynamoPetitionStore: idempotency keys', () => {
  it('claims a fresh key', async () => {
    const store = makeStore(() => new Date('2026-11-24T09:00:00.000Z'));

    expect(await store.claimIdempotencyKey(makeIdempotencyRecord())).toEqual({ claimed: true });
  });

  it('returns the record holding a key that is still valid', async () => {
    const store = makeStore(() => new Date('2026-11-24T09:00:00.000Z'));
    const original = makeIdempotencyRecord();
    await store.claimIdempotencyKey(original);

    const second = await store.claimIdempotencyKey({ ...original, petitionId: randomUUID(), requestHash: 'other' });

    expect(second).toEqual({ claimed: false, existing: original });
  });

  it('keeps keys of different citizens apart', async () => {
    const store = makeStore(() => new Date('2026-11-24T09:00:00.000Z'));
    const original = makeIdempotencyRecord();
    await store.claimIdempotencyKey(original);

    const other = await store.claimIdempotencyKey({ ...original, subject: 'demo-lee-cheolsu' });

    expect(other).toEqual({ claimed: true });
  });

  it('lets a key be claimed again once it has expired', async () => {
    let now = new Date('2026-11-24T09:00:00.000Z');
    const store = makeStore(() => now);
    const original = makeIdempotencyRecord({ expiresAt: now.getTime() / 1000 + 60 });
    await store.claimIdempotencyKey(original);

    now = new Date(now.getTime() + 61_000);
    const renewed = { ...original, petitionId: randomUUID(), expiresAt: now.getTime() / 1000 + 60 };
    const reclaim = await store.claimIdempotencyKey(renewed);
    const third = await store.claimIdempotencyKey({ ...original, petitionId: randomUUID() });

    expect(reclaim).toEqual({ claimed: true });
    expect(third).toEqual({ claimed: false, existing: renewed });
  });

  it('lets exactly one of many concurrent claimants win', async () => {
    const store = makeStore(() => new Date('2026-11-24T09:00:00.000Z'));
    const key = randomUUID();

    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.claimIdempotencyKey(makeIdempotencyRecord({ key }))),
    );

    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    const holders = new Set(results.flatMap((r) => (r.claimed ? [] : [r.existing.petitionId])));
    expect(holders.size).toBe(1);
  });
});

describe('DynamoPetitionStore: step records', () => {
  it('records a step result and reads it back', async () => {
    const store = makeStore();
    const record = makeStepRecord();

    expect(await store.putStepRecord(record)).toEqual(record);
    expect(await store.getStepRecord(record.petitionId, record.stepKey)).toEqual(record);
  });

  it('keeps the first writer when many record the same step concurrently', async () => {
    const store = makeStore();
    const petitionId = randomUUID();
    const racers = Array.from({ length: 10 }, (_, i) => makeStepRecord({ petitionId, result: { racer: i } }));

    const returned = await Promise.all(racers.map((r) => store.putStepRecord(r)));

    const stored = await store.getStepRecord(petitionId, racers[0]!.stepKey);
    expect(returned.every((r) => JSON.stringify(r) === JSON.stringify(stored))).toBe(true);
  });

  it('answers undefined for a step that never ran', async () => {
    expect(await makeStore().getStepRecord(randomUUID(), 'Decide#00')).toBeUndefined();
  });
});

describe('DynamoPetitionStore: timeline and evidence', () => {
  it('merges timeline entries and step records, oldest first', async () => {
    const store = makeStore();
    const petition = makePetition();
    await store.createPetition(petition);
    await store.appendTimeline(petition.id, { at: '2026-11-24T09:00:05.000Z', state: 'Decide', kind: 'status', status: 'DECIDING' });
    await store.appendTimeline(petition.id, { at: '2026-11-24T09:00:00.000Z', state: 'Submit', kind: 'status', status: 'RECEIVED' });
    await store.putStepRecord(makeStepRecord({ petitionId: petition.id, stepKey: 'Retrieve#1', state: 'RetrieveEvidence', finishedAt: '2026-11-24T09:00:03.000Z' }));
    await store.appendTimeline(petition.id, { at: '2026-11-24T09:00:02.000Z', state: 'RetrieveEvidence', kind: 'step-failed', detail: 'AgencyUnavailableError' });
    await store.putEvidence(makeEvidence({ petitionId: petition.id }));

    const timeline = await store.getTimeline(petition.id);

    // The petition's own status history (RECEIVED at creation) is part of the timeline too.
    expect(timeline.filter((e) => e.state === 'Petition').map((e) => e.status)).toEqual(['RECEIVED']);
    expect(timeline.filter((e) => e.state !== 'Petition').map((e) => [e.at.slice(17, 19), e.state, e.kind])).toEqual([
      ['00', 'Submit', 'status'],
      ['02', 'RetrieveEvidence', 'step-failed'],
      ['03', 'RetrieveEvidence', 'step-completed'],
      ['05', 'Decide', 'status'],
    ]);
    expect(timeline.find((e) => e.kind === 'step-completed')?.detail).toBe('took 2000 ms');
  });

  it('reads a petition, its timeline and its evidence in one request', async () => {
    const store = makeStore();
    const petition = makePetition();
    await store.createPetition(petition);
    await store.transition(petition.id, 'VERIFYING_IDENTITY');
    await store.putStepRecord(makeStepRecord({ petitionId: petition.id, stepKey: 'VerifyIdentity#1', state: 'VerifyIdentity' }));
    await store.putEvidence(makeEvidence({ petitionId: petition.id, evidenceId: 'income' }));
    let requests = 0;
    const documents = dynamo.documents();
    const counting = new DynamoPetitionStore({
      client: { send: (command: never) => (requests++, documents.send(command)) } as unknown as typeof documents,
      tableName: TABLE,
    });

    const record = await counting.getPetitionRecord(petition.id);

    expect(requests).toBe(1);
    expect(record.petition).toMatchObject({ id: petition.id, status: 'VERIFYING_IDENTITY' });
    expect(record.petition).not.toHaveProperty('statusHistory');
    expect(record.timeline.filter((e) => e.kind === 'status').map((e) => e.status)).toEqual(['RECEIVED', 'VERIFYING_IDENTITY']);
    expect(record.timeline.filter((e) => e.kind === 'step-completed').map((e) => e.state)).toEqual(['VerifyIdentity']);
    expect(record.evidence.map((e) => e.evidenceId)).toEqual(['income']);
  });

  it('lists the evidence of a petition; the first record of a document wins and is returned to later writers', async () => {
    const store = makeStore();
    const petitionId = randomUUID();
    await store.putEvidence(makeEvidence({ petitionId, evidenceId: 'income', sha256: 'first' }));
    await store.putEvidence(makeEvidence({ petitionId, evidenceId: 'resident-registration' }));
    const second = await store.putEvidence(makeEvidence({ petitionId, evidenceId: 'income', sha256: 'second' }));
    await store.putEvidence(makeEvidence({ evidenceId: 'income' }));

    const evidence = await store.listEvidence(petitionId);

    expect(second.sha256).toBe('first');
    expect(evidence.map((e) => [e.evidenceId, e.sha256])).toEqual([
      ['income', 'first'],
      ['resident-registration', 'ab'.repeat(32)],
    ]);
    expect(evidence[0]).not.toHaveProperty('pk');
  });
});

describe('DynamoPetitionStore: signed artefacts', () => {
  const signedResult = (petitionId: string, sha256: string): PetitionArtifact => ({
    kind: 'signed-result',
    petitionId,
    objectKey: `results/${petitionId}/${sha256}.pdf`,
    sha256,
    createdAt: '2026-11-24T09:05:00.000Z',
    document: 'result',
    sealedBy: 'mois',
  });

  it('keeps the first signed result of a petition when racing writers record theirs', async () => {
    const store = makeStore();
    const petition = makePetition();
    await store.createPetition(petition);

    const winners = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((x) => store.putArtifact(signedResult(petition.id, x.repeat(64)))));

    expect(new Set(winners.map((w) => w.sha256)).size).toBe(1);
    const record = await store.getPetitionRecord(petition.id);
    expect(record.artifacts).toEqual([winners[0]]);
    expect(record.artifacts[0]).not.toHaveProperty('pk');
  });

  it('holds a seal certificate and a signed result side by side, and reads each by kind', async () => {
    const store = makeStore();
    const petitionId = randomUUID();
    const seal: PetitionArtifact = {
      kind: 'applicant-seal',
      petitionId,
      objectKey: `seals/${petitionId}/01ab.der`,
      sha256: 'cd'.repeat(32),
      createdAt: '2026-11-24T09:04:00.000Z',
      serialNumber: '01ab',
      notAfter: '2026-12-24T09:04:00.000Z',
      applicationKey: `seals/${petitionId}/application.json`,
      applicationSignature: '3045',
    };
    await store.putArtifact(seal);
    await store.putArtifact(signedResult(petitionId, 'ef'.repeat(32)));

    expect(await store.getArtifact(petitionId, 'applicant-seal')).toEqual(seal);
    expect(await store.getArtifact(petitionId, 'signed-result')).toMatchObject({ sha256: 'ef'.repeat(32) });
    expect(await store.getArtifact(randomUUID(), 'signed-result')).toBeUndefined();
  });
});

describe('DynamoPetitionStore: listings', () => {
  it("pages through a citizen's petitions newest first, without the access log", async () => {
    const store = makeStore();
    const subject = `citizen-${randomUUID()}`;
    const petitions = Array.from({ length: 27 }, (_, i) =>
      makePetition({ subject, createdAt: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString() }),
    );
    for (const petition of petitions) await store.createPetition(petition);
    await store.putEvidence(makeEvidence({ subject, petitionId: petitions[0]!.id }));
    await store.createPetition(makePetition());

    const pages = await collectPages((cursor) => store.listPetitionsBySubject(subject, { limit: 10, cursor }));

    expect(pages.slice(0, 3).map((p) => p.length)).toEqual([10, 10, 7]);
    expect(pages.flat().map((p) => p.id)).toEqual(petitions.map((p) => p.id).reverse());
  });

  it('lists active petitions across shards in small pages, skipping terminal ones', async () => {
    const store = makeStore();
    const before = new Set((await collectPages((cursor) => store.listActivePetitionIds({ limit: 100, cursor }))).flat());
    const active = Array.from({ length: 13 }, () => makePetition());
    const finished = Array.from({ length: 4 }, () => makePetition());
    for (const petition of [...active, ...finished]) await store.createPetition(petition);
    for (const petition of finished) await store.transition(petition.id, 'REJECTED');
    await store.createPetition(makePetition({ status: 'COMPLETED' }));

    const pages = await collectPages((cursor) => store.listActivePetitionIds({ limit: 3, cursor }));

    const listed = pages.flat().filter((id) => !before.has(id));
    expect(pages.every((page) => page.length <= 3)).toBe(true);
    expect(new Set(pages.flat()).size).toBe(pages.flat().length);
    expect(listed.sort()).toEqual(active.map((p) => p.id).sort());
  });

  it.each([
    ['not base64 JSON', '%%%'],
    ['a JSON string', Buffer.from('"x"').toString('base64url')],
    ['a key of another citizen', Buffer.from(JSON.stringify({ k: { pk: 'PETITION#1', sk: 'META', gsi1pk: 'CITIZEN#someone-else', gsi1sk: 'PETITION#x' } })).toString('base64url')],
  ])('refuses a cursor that is %s', async (_label, cursor) => {
    const attempt = makeStore().listPetitionsBySubject('demo-kim-younghee', { cursor });

    await expect(attempt).rejects.toMatchObject({ name: 'InvalidCursorError' });
  });

  it('refuses an active-list cursor naming a shard that does not exist', async () => {
    const cursor = Buffer.from(JSON.stringify({ s: 9 })).toString('base64url');

    await expect(makeStore().listActivePetitionIds({ cursor })).rejects.toMatchObject({ name: 'InvalidCursorError' });
  });
});

describe('dynalite on disk', () => {
  it('keeps the data across a close and a restart', async () => {
    const path = await mkdtemp(join(tmpdir(), 'hanbeon-dynalite-'));
    const petition = makePetition();
    try {
      const first = await startDynalite({ path });
      const firstClient = createLocalDynamoClient(first.endpoint);
      await ensureTable(firstClient, TABLE);
      await new DynamoPetitionStore({ client: createDocumentClient(firstClient), tableName: TABLE }).createPetition(petition);
      firstClient.destroy();
      await first.close();

      const second = await startDynalite({ path });
      const secondClient = createLocalDynamoClient(second.endpoint);
      await ensureTable(secondClient, TABLE);
      const stored = await new DynamoPetitionStore({ client: createDocumentClient(secondClient), tableName: TABLE }).getPetition(petition.id);
      secondClient.destroy();
      await second.close();

      expect(stored?.id).toBe(petition.id);
      expect(stored?.identity).toEqual(petition.identity);
    } finally {
      await rm(path, { recursive: true, force: true });
    }
  });
});
