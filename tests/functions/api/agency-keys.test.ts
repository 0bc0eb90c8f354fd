/** Agency API keys: issuing, storing only the hash (dynalite), revoking, and the 401 the API gives. */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { authenticateAgency } from '../../../functions/api/agency-auth.ts';
import { withProblems, type ApiLogger } from '../../../functions/api/http.ts';
import { ProblemError } from '../../../functions/api/problem.ts';
import { agencyOfKey, hashAgencyKey, issueAgencyApiKey, verifyAgencyApiKey, type AgencyKeyStore } from '../../../shared/identity/agency-api-keys.ts';
import { DynamoAgencyKeyStore } from '../../../shared/store/dynamo-agency-key-store.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';

const dynamo = useLocalDynamo();

const freshStore = async () => {
  const tableName = await dynamo.table('agency-keys');
  const store = new DynamoAgencyKeyStore({ client: dynamo.documents(), tableName });
  const scan = async () => (await dynamo.documents().send(new ScanCommand({ TableName: tableName }))).Items ?? [];
  return { store, scan };
};

const eventWith = (headers: Record<string, string>): APIGatewayProxyEventV2 =>
  ({ version: '2.0', routeKey: 'GET /v1/agency/webhooks', rawPath: '/v1/agency/webhooks', rawQueryString: '', headers, isBase64Encoded: false }) as APIGatewayProxyEventV2;

const bearer = (key: string) => eventWith({ authorization: `Bearer ${key}` });

const refusalOf = async (promise: Promise<unknown>): Promise<ProblemError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemError);
  return error as ProblemError;
};

describe('issuing an agency API key', () => {
  it('answers a key of the form hbk_<agency>_<32 random bytes, base64url> and stores only its SHA-256', async () => {
    const { store, scan } = await freshStore();

    const { key, keyId } = await issueAgencyApiKey(store, 'court', 'case system');

    expect(key).toMatch(/^hbk_court_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice('hbk_court_'.length), 'base64url')).toHaveLength(32);
    const items = await scan();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ keyHash: hashAgencyKey(key), agency: 'court', keyId, label: 'case system' });
    expect(JSON.stringify(items)).not.toContain(key.slice('hbk_court_'.length));
  });

  it('draws a new key every time, so an agency can hold several at once (rotation)', async () => {
    const { store } = await freshStore();

    const first = await issueAgencyApiKey(store, 'court', 'old system', new Date('2030-01-01T00:00:00Z'));
    const second = await issueAgencyApiKey(store, 'court', 'new system', new Date('2030-02-01T00:00:00Z'));

    expect(first.key).not.toBe(second.key);
    expect(first.keyId).not.toBe(second.keyId);
    expect((await store.list('court')).map((r) => r.keyId)).toEqual([first.keyId, second.keyId]);
    expect(await verifyAgencyApiKey(store, first.key)).toEqual({ agency: 'court', keyId: first.keyId });
    expect(await verifyAgencyApiKey(store, second.key)).toEqual({ agency: 'court', keyId: second.keyId });
  });

  it('refuses an agency id that is not a catalog id, and stores nothing', async () => {
    const { store, scan } = await freshStore();

    for (const agency of ['Court', 'court_admin', '', 'a--b']) {
      await expect(issueAgencyApiKey(store, agency)).rejects.toMatchObject({ name: 'MalformedAgencyKeyError' });
    }
    expect(await scan()).toEqual([]);
  });

  it('refuses to store a second record under a hash already taken', async () => {
    const { store } = await freshStore();
    const { record } = await issueAgencyApiKey(store, 'court');

    await expect(store.put({ ...record, keyId: 'ak_other' })).rejects.toMatchObject({ name: 'AgencyKeyExistsError' });
    expect((await store.findByHash(record.keyHash))?.keyId).toBe(record.keyId);
  });
});

describe('verifying and revoking agency API keys', () => {
  it('revokes one key of an agency at once, leaves its other keys working, and keeps the first revocation time', async () => {
    const { store } = await freshStore();
    const old = await issueAgencyApiKey(store, 'court');
    const current = await issueAgencyApiKey(store, 'court');

    expect(await store.revoke('court', old.keyId, '2030-03-01T00:00:00.000Z')).toBe(true);
    expect(await store.revoke('court', old.keyId, '2030-04-01T00:00:00.000Z')).toBe(true);

    expect(await verifyAgencyApiKey(store, old.key)).toBeUndefined();
    expect(await verifyAgencyApiKey(store, current.key)).toEqual({ agency: 'court', keyId: current.keyId });
    expect((await store.list('court')).find((r) => r.keyId === old.keyId)?.revokedAt).toBe('2030-03-01T00:00:00.000Z');
  });

  it("will not revoke another agency's key: it answers false and the key keeps working", async () => {
    const { store } = await freshStore();
    const courts = await issueAgencyApiKey(store, 'court');

    expect(await store.revoke('molit', courts.keyId, '2030-03-01T00:00:00.000Z')).toBe(false);
    expect(await store.revoke('court', 'ak_nosuchkey', '2030-03-01T00:00:00.000Z')).toBe(false);
    expect(await verifyAgencyApiKey(store, courts.key)).toEqual({ agency: 'court', keyId: courts.keyId });
  });

  it('refuses a key whose agency part was changed: the hash no longer matches anything stored', async () => {
    const { store } = await freshStore();
    const { key } = await issueAgencyApiKey(store, 'court');

    const relabelled = key.replace(/^hbk_court_/, 'hbk_molit_');

    expect(agencyOfKey(relabelled)).toBe('molit');
    expect(await verifyAgencyApiKey(store, relabelled)).toBeUndefined();
  });

  it('refuses a stored key whose record names another agency than its text (a record planted under the wrong agency)', async () => {
    const { store } = await freshStore();
    const key = `hbk_molit_${Buffer.alloc(32, 7).toString('base64url')}`;
    await store.put({ keyHash: hashAgencyKey(key), agency: 'court', keyId: 'ak_planted', createdAt: '2030-01-01T00:00:00.000Z' });

    expect(await verifyAgencyApiKey(store, key)).toBeUndefined();
  });
});

describe('authenticateAgency', () => {
  it('answers the agency of a valid bearer key', async () => {
    const { store } = await freshStore();
    const { key, keyId } = await issueAgencyApiKey(store, 'nts');

    expect(await authenticateAgency(bearer(key), store)).toEqual({ agency: 'nts', keyId });
  });

  it('refuses missing, malformed, unknown and revoked keys with one and the same 401 problem', async () => {
    const { store } = await freshStore();
    const revoked = await issueAgencyApiKey(store, 'court');
    await store.revoke('court', revoked.keyId, new Date().toISOString());
    const unknown = `hbk_court_${Buffer.alloc(32, 1).toString('base64url')}`;

    const missing = await refusalOf(authenticateAgency(eventWith({}), store));
    const refused = await Promise.all(
      [bearer(unknown), bearer(revoked.key), bearer('hbk_court_tooshort'), bearer(`${revoked.key}x`), eventWith({ authorization: `Basic ${revoked.key}` })].map((event) => refusalOf(authenticateAgency(event, store))),
    );

    expect(missing).toMatchObject({ status: 401, slug: 'unauthorized', headers: { 'www-authenticate': 'Bearer realm="hanbeon-agency"' } });
    const documents = refused.map((problem) => JSON.stringify(problem.toDocument()));
    expect(new Set([...documents, JSON.stringify(missing.toDocument())]).size).toBe(1);
    expect(refused.slice(0, 4).map((p) => p.headers['www-authenticate'])).toEqual(Array(4).fill('Bearer realm="hanbeon-agency", error="invalid_token"'));
  });

  it('never puts the key into a problem or a log line, even when the key store fails', async () => {
    const { key } = await issueAgencyApiKey((await freshStore()).store, 'court');
    const failing: AgencyKeyStore = {
      put: async () => undefined,
      list: async () => [],
      revoke: async () => false,
      findByHash: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { name: 'TimeoutError' });
      },
    };
    const logged: unknown[] = [];
    const logger: ApiLogger = { error: (message, details) => void logged.push({ message, details }) };
    const handler = withProblems<{ logger: ApiLogger; keys: AgencyKeyStore }>(async (event, deps) => {
      await authenticateAgency(event, deps.keys);
      return { statusCode: 200 };
    });

    const answer = await handler(bearer(key), { logger, keys: failing });

    expect(answer.statusCode).toBe(500);
    expect(logged).toHaveLength(1);
    const secretPart = key.slice('hbk_court_'.length);
    expect(answer.body).not.toContain(secretPart);
    expect(JSON.stringify(logged, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v))).not.toContain(secretPart);
  });
});
