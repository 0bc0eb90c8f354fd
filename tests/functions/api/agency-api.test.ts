/**
 * The agency-facing API: webhook endpoints, the delivery log, petitions addressed to an agency and
 * review decisions — handlers called with API Gateway v2 events, over real stores on dynalite.
 *
 * Agencies in play (templates/): `property-transfer-registration` is handled by `court` and notifies
 * `molit` and `nts`; `mois` has nothing to do with it.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listDeliveries, getDelivery, replayDeliveries, replayDelivery } from '../../../functions/api/agency-deliveries.ts';
import type { AgencyApiDeps, ReviewDecision, ReviewDecisions } from '../../../functions/api/agency-deps.ts';
import { decideReview, getAgencyPetition } from '../../../functions/api/agency-petitions.ts';
import { deleteWebhook, listWebhooks, registerWebhook, rotateWebhookSecret } from '../../../functions/api/agency-webhooks.ts';
import type { ApiHandler, ApiResult } from '../../../functions/api/http.ts';
import { PROBLEM_BASE } from '../../../functions/api/problem.ts';
import { defaultTemplatesDir, loadCatalog, type Catalog } from '../../../shared/catalog/load.ts';
import { DeliveryLog } from '../../../shared/delivery/delivery-log.ts';
import { DeliveryWorker } from '../../../shared/delivery/delivery-worker.ts';
import { EndpointRegistry, ROTATION_GRACE_MS } from '../../../shared/delivery/endpoints.ts';
import { outboxEvent } from '../../../shared/delivery/events.ts';
import { HttpWebhookTransport } from '../../../shared/delivery/http-transport.ts';
import type { Delivery } from '../../../shared/delivery/model.ts';
import { LOCAL_URL_POLICY, STRICT_URL_POLICY, type UrlPolicy } from '../../../shared/delivery/url-policy.ts';
import { webhookIdFor } from '../../../shared/delivery/webhook-signing.ts';
import { issueAgencyApiKey } from '../../../shared/identity/agency-api-keys.ts';
import type { Petition, PetitionStatus } from '../../../shared/petition/model.ts';
import { DynamoAgencyKeyStore } from '../../../shared/store/dynamo-agency-key-store.ts';
import { DynamoAuditStore } from '../../../shared/store/dynamo-audit-store.ts';
import { DynamoDeliveryStore } from '../../../shared/store/dynamo-delivery-store.ts';
import { DynamoPetitionStore } from '../../../shared/store/dynamo-petition-store.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';
import { startWebhookReceiver, verifiesWith } from '../../support/webhook-receiver.ts';

const TYPE = 'property-transfer-registration';
const MINUTE = 60_000;

const dynamo = useLocalDynamo();
let catalog: Catalog;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  catalog = await loadCatalog(defaultTemplatesDir);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A faithful stand-in for the review port: the first decision per petition is accepted, any later one is not. */
class RecordingReviewDecisions implements ReviewDecisions {
  readonly calls: ReviewDecision[] = [];

  async decide(decision: ReviewDecision): Promise<'accepted' | 'already-decided'> {
    const earlier = this.calls.some((c) => c.petitionId === decision.petitionId);
    this.calls.push(decision);
    return earlier ? 'already-decided' : 'accepted';
  }
}

// ---- the world: stores on a table of their own, keys for four agencies ---------------------------

type Credential = 'owner' | 'other' | 'none' | 'revoked' | 'malformed';

const makeWorld = async (options: { policy?: UrlPolicy } = {}) => {
  const tableName = await dynamo.table('agency-api');
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const petitions = new DynamoPetitionStore({ client: dynamo.documents(), tableName });
  const deliveries = new DynamoDeliveryStore({ client: dynamo.documents(), tableName });
  const agencyKeys = new DynamoAgencyKeyStore({ client: dynamo.documents(), tableName });
  const reviews = new RecordingReviewDecisions();
  const logged: { message: string; details: Record<string, unknown> }[] = [];
  const deps: AgencyApiDeps & { audit: DynamoAuditStore } = {
    audit: new DynamoAuditStore({ client: dynamo.documents(), tableName }),
    catalog,
    store: petitions,
    agencyKeys,
    endpoints: new EndpointRegistry({ store: deliveries, policy: options.policy ?? LOCAL_URL_POLICY }),
    deliveryLog: new DeliveryLog({ store: deliveries }),
    reviews,
    clock: () => now,
    logger: { error: (message, details) => void logged.push({ message, details }) },
    limits: { maxBodyBytes: 64 * 1024 },
  };
  const keys = {
    court: (await issueAgencyApiKey(agencyKeys, 'court', 'case system')).key,
    molit: (await issueAgencyApiKey(agencyKeys, 'molit')).key,
    nts: (await issueAgencyApiKey(agencyKeys, 'nts')).key,
    mois: (await issueAgencyApiKey(agencyKeys, 'mois')).key,
  };
  const retired = await issueAgencyApiKey(agencyKeys, 'court', 'retired system');
  await agencyKeys.revoke('court', retired.keyId, now.toISOString());

  /** Authorization headers per credential: `owner` is court, `other` is mois. */
  const auth = (credential: Credential | keyof typeof keys): Record<string, string> => {
    switch (credential) {
      case 'owner':
        return { authorization: `Bearer ${keys.court}` };
      case 'other':
        return { authorization: `Bearer ${keys.mois}` };
      case 'none':
        return {};
      case 'revoked':
        return { authorization: `Bearer ${retired.key}` };
      case 'malformed':
        return { authorization: `Bearer ${keys.court.slice(0, -4)}` };
      default:
        return { authorization: `Bearer ${keys[credential]}` };
    }
  };

  /** Every item of the table, in key order: what "nothing was written" is checked against. */
  const snapshot = async () =>
    ((await dynamo.documents().send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? []).sort((a, b) =>
      `${String(a.pk)}|${String(a.sk)}`.localeCompare(`${String(b.pk)}|${String(b.sk)}`),
    );

  return { deps, now, petitions, deliveries, reviews, logged, auth, keys, snapshot };
};
type World = Awaited<ReturnType<typeof makeWorld>>;

// ---- requests: hand-built API Gateway v2 events -------------------------------------------------

interface RequestSpec {
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  /** A value is sent as JSON with Content-Type application/json; a string is sent as it is. */
  body?: unknown;
}

/** An HTTP API (payload 2.0) event as API Gateway hands it to Lambda for the route `METHOD /path/{param}`. */
const apiEvent = (routeKey: string, spec: RequestSpec = {}): APIGatewayProxyEventV2 => {
  const [method, template] = routeKey.split(' ') as [string, string];
  const rawPath = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(spec.pathParameters?.[name] ?? ''));
  const headers: Record<string, string> = { host: 'api.hanbeon.example', 'user-agent': 'agency-back-office/1.0' };
  if (spec.body !== undefined && typeof spec.body !== 'string') headers['content-type'] = 'application/json';
  for (const [name, value] of Object.entries(spec.headers ?? {})) headers[name.toLowerCase()] = value;
  const rawQueryString = new URLSearchParams(spec.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    ...(spec.query ? { queryStringParameters: spec.query } : {}),
    ...(spec.pathParameters ? { pathParameters: spec.pathParameters } : {}),
    ...(spec.body === undefined ? {} : { body: typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body) }),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'agencyapi',
      domainName: 'api.hanbeon.example',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'agency-back-office/1.0' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
};

const bodyOf = <T = Record<string, unknown>>(answer: ApiResult): T => JSON.parse(answer.body ?? 'null') as T;

/** The answer is an RFC 9457 problem of the given type and status. */
const expectProblem = (answer: ApiResult, status: number, slug: string) => {
  expect(answer.statusCode).toBe(status);
  expect(answer.headers?.['content-type']).toBe('application/problem+json');
  const problem = bodyOf<{ type: string; status: number; title: string; detail: string }>(answer);
  expect(problem).toMatchObject({ type: PROBLEM_BASE + slug, status });
  expect(problem.detail.length).toBeGreaterThan(0);
  return problem;
};

// ---- what the routes act on, all belonging to court ---------------------------------------------

const makePetition = async (w: World, status: PetitionStatus, type = TYPE): Promise<Petition> => {
  const example = catalog.petitionTypes.get(TYPE)!.example;
  const at = new Date(w.now.getTime() - 10 * MINUTE).toISOString();
  const petition: Petition = {
    id: randomUUID(),
    type,
    typeVersion: 1,
    subject: example.subject,
    fields: { ...example.fields },
    identity: { subject: example.subject, name: '박지우', birthDate: '1988-04-12', issuer: 'https://id.example', assuranceLevel: 'high', authenticatedAt: at },
    consent: { documents: ['landRecord', 'taxPayment', 'residentRecord'], grantedAt: at },
    status,
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...(status === 'AWAITING_REVIEW' || status === 'COMPLETED'
      ? { decision: { outcome: status === 'COMPLETED' ? 'approve' : 'review', reasons: [], decidedAt: at } }
      : {}),
  };
  await w.petitions.createPetition(petition);
  for (const [evidenceId, agency, documentType] of [
    ['landRecord', 'molit', 'land-register'],
    ['taxPayment', 'nts', 'tax-payment-certificate'],
  ] as const) {
    await w.petitions.putEvidence({
      petitionId: petition.id,
      evidenceId,
      subject: petition.subject,
      documentType,
      agency,
      purpose: petition.id,
      consentedAt: at,
      retrievedAt: at,
      sha256: `${evidenceId.length.toString(16)}`.padStart(64, 'a'),
      objectKey: `evidence/${petition.id}/${evidenceId}.json`,
    });
  }
  if (status === 'COMPLETED') {
    await w.petitions.putArtifact({ kind: 'signed-result', petitionId: petition.id, objectKey: `results/${petition.id}.pdf`, sha256: 'c'.repeat(64), createdAt: at, document: 'result', sealedBy: 'court' });
  }
  return petition;
};

const registerEndpoint = async (w: World, agency = 'court', url = 'https://hooks.court.example/hanbeon') =>
  w.deps.endpoints.register(agency, { url, eventTypes: ['petition.completed', 'petition.review_requested'] });

/** A delivery of court's that has ended (so it can be replayed), created a minute before `now`. */
const makeDelivery = async (w: World, endpointId: string, status: Delivery['status'] = 'dead'): Promise<Delivery> => {
  const eventId = `petition:${randomUUID()}:completed`;
  const createdAt = new Date(w.now.getTime() - MINUTE).toISOString();
  const delivery: Delivery = {
    webhookId: webhookIdFor(eventId, endpointId),
    eventId,
    eventType: 'petition.completed',
    agency: 'court',
    endpointId,
    body: JSON.stringify({ type: 'petition.completed', timestamp: createdAt, data: { petitionId: randomUUID(), agency: 'court', outcome: 'completed' } }),
    status,
    series: 1,
    attempts: status === 'pending' ? 0 : 8,
    ...(status === 'pending' ? { nextAttemptAt: createdAt } : { lastAttemptAt: createdAt, lastStatusCode: 503 }),
    ...(status === 'dead' ? { deadAt: createdAt } : {}),
    createdAt,
    updatedAt: createdAt,
    version: 1,
  };
  await w.deliveries.createDelivery(delivery);
  return delivery;
};

// ---- the authorization matrix -------------------------------------------------------------------

/**
 * One route: how to arrange what it acts on (court's), how to ask for it, and what court gets. For
 * routes on one resource `other` gets 404; for collection routes it gets its own (empty) view.
 */
interface RouteCase {
  route: string;
  handler: ApiHandler<AgencyApiDeps & { audit: DynamoAuditStore }>;
  /** Arranges court's resource; answers the request for given headers (and for another id, to compare with a missing one). */
  arrange(w: World): Promise<(headers: Record<string, string>, id?: string) => APIGatewayProxyEventV2>;
  ownerStatus: number;
  /** Set for resource routes: an id of the right form that names nothing. */
  missingId?: string;
  /** For collection routes: what `other` sees must not mention court's resource. */
  otherStatus?: number;
}

const MISSING_PETITION = '00000000-0000-4000-8000-000000000000';
const MISSING_ENDPOINT = 'ep_AAAAAAAAAAAAAAAA';
const MISSING_DELIVERY = `msg_${'a'.repeat(32)}`;

const ROUTES: RouteCase[] = [
  {
    route: 'POST /v1/agency/webhooks',
    handler: registerWebhook,
    arrange: async () => (headers) => apiEvent('POST /v1/agency/webhooks', { headers, body: { url: 'https://hooks.example/in', eventTypes: ['petition.completed'] } }),
    ownerStatus: 201,
    otherStatus: 201,
  },
  {
    route: 'GET /v1/agency/webhooks',
    handler: listWebhooks,
    arrange: async (w) => {
      await registerEndpoint(w);
      return (headers) => apiEvent('GET /v1/agency/webhooks', { headers });
    },
    ownerStatus: 200,
    otherStatus: 200,
  },
  {
    route: 'DELETE /v1/agency/webhooks/{id}',
    handler: deleteWebhook,
    arrange: async (w) => {
      const { endpoint } = await registerEndpoint(w);
      return (headers, id = endpoint.id) => apiEvent('DELETE /v1/agency/webhooks/{id}', { headers, pathParameters: { id } });
    },
    ownerStatus: 204,
    missingId: MISSING_ENDPOINT,
  },
  {
    route: 'POST /v1/agency/webhooks/{id}/rotate',
    handler: rotateWebhookSecret,
    arrange: async (w) => {
      const { endpoint } = await registerEndpoint(w);
      return (headers, id = endpoint.id) => apiEvent('POST /v1/agency/webhooks/{id}/rotate', { headers, pathParameters: { id } });
    },
    ownerStatus: 200,
    missingId: MISSING_ENDPOINT,
  },
  {
    route: 'GET /v1/agency/deliveries',
    handler: listDeliveries,
    arrange: async (w) => {
      const { endpoint } = await registerEndpoint(w);
      await makeDelivery(w, endpoint.id);
      return (headers) => apiEvent('GET /v1/agency/deliveries', { headers });
    },
    ownerStatus: 200,
    otherStatus: 200,
  },
  {
    route: 'GET /v1/agency/deliveries/{webhookId}',
    handler: getDelivery,
    arrange: async (w) => {
      const { endpoint } = await registerEndpoint(w);
      const { webhookId } = await makeDelivery(w, endpoint.id);
      return (headers, id = webhookId) => apiEvent('GET /v1/agency/deliveries/{webhookId}', { headers, pathParameters: { webhookId: id } });
    },
    ownerStatus: 200,
    missingId: MISSING_DELIVERY,
  },
  {
    route: 'POST /v1/agency/deliveries/{webhookId}/replay',
    handler: replayDelivery,
    arrange: async (w) => {
      const { endpoint } = await registerEndpoint(w);
      const { webhookId } = await makeDelivery(w, endpoint.id);
      return (headers, id = webhookId) => apiEvent('POST /v1/agency/deliveries/{webhookId}/replay', { headers, pathParameters: { webhookId: id } });
    },
    ownerStatus: 202,
    missingId: MISSING_DELIVERY,
  },
  {
    route: 'POST /v1/agency/deliveries/replay',
    handler: replayDeliveries,
    arrange: async (w) => {
      const { endpoint } = await registerEndpoint(w);
      await makeDelivery(w, endpoint.id);
      const range = { from: new Date(w.now.getTime() - 60 * MINUTE).toISOString(), to: w.now.toISOString() };
      return (headers) => apiEvent('POST /v1/agency/deliveries/replay', { headers, body: range });
    },
    ownerStatus: 202,
    otherStatus: 202,
  },
  {
    route: 'GET /v1/agency/petitions/{id}',
    handler: getAgencyPetition,
    arrange: async (w) => {
      const { id } = await makePetition(w, 'COMPLETED');
      return (headers, target = id) => apiEvent('GET /v1/agency/petitions/{id}', { headers, pathParameters: { id: target } });
    },
    ownerStatus: 200,
    missingId: MISSING_PETITION,
  },
  {
    route: 'POST /v1/agency/petitions/{id}/decision',
    handler: decideReview,
    arrange: async (w) => {
      const { id } = await makePetition(w, 'AWAITING_REVIEW');
      return (headers, target = id) => apiEvent('POST /v1/agency/petitions/{id}/decision', { headers, pathParameters: { id: target }, body: { decision: 'approve', reason: '공시지가 미만 거래이나 친족 간 매매로 확인됨' } });
    },
    ownerStatus: 202,
    missingId: MISSING_PETITION,
  },
];

describe.each(ROUTES)('authorization of $route', ({ handler, arrange, ownerStatus, missingId, otherStatus }) => {
  it(`answers court (the owner / handling agency) ${ownerStatus}`, async () => {
    const w = await makeWorld();
    const request = await arrange(w);

    const answer = await handler(request(w.auth('owner')), w.deps);

    expect(answer.statusCode).toBe(ownerStatus);
    expect(w.logged).toEqual([]);
  });

  it.each(['none', 'revoked', 'malformed'] as const)('answers a request with %s key 401, reads and writes nothing', async (credential) => {
    const w = await makeWorld();
    const request = await arrange(w);
    const before = await w.snapshot();

    const answer = await handler(request(w.auth(credential)), w.deps);

    expectProblem(answer, 401, 'unauthorized');
    expect(answer.headers?.['www-authenticate']).toMatch(/^Bearer realm="hanbeon-agency"/);
    expect(await w.snapshot()).toEqual(before);
    expect(w.reviews.calls).toEqual([]);
  });

  if (missingId !== undefined) {
    it("answers another agency 404, exactly as for a resource that does not exist, and changes nothing", async () => {
      const w = await makeWorld();
      const request = await arrange(w);
      const before = await w.snapshot();

      const theirs = await handler(request(w.auth('other')), w.deps);
      const missing = await handler(request(w.auth('other'), missingId), w.deps);

      const [a, b] = [expectProblem(theirs, 404, 'not-found'), expectProblem(missing, 404, 'not-found')];
      expect({ ...a, detail: undefined }).toEqual({ ...b, detail: undefined });
      expect(await w.snapshot()).toEqual(before);
      expect(w.reviews.calls).toEqual([]);
    });
  } else {
    it("answers another agency with its own view only: nothing of court's is shown or touched", async () => {
      const w = await makeWorld();
      const request = await arrange(w);
      const courtEndpoints = await w.deps.endpoints.list('court');
      const courtDeliveries = await w.deps.deliveryLog.list('court', { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' });

      const answer = await handler(request(w.auth('other')), w.deps);

      expect(answer.statusCode).toBe(otherStatus);
      for (const e of courtEndpoints) expect(answer.body).not.toContain(e.id);
      for (const d of courtDeliveries.items) expect(answer.body).not.toContain(d.webhookId);
      expect(await w.deps.endpoints.list('court')).toEqual(courtEndpoints);
      expect(await w.deps.deliveryLog.list('court', { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' })).toEqual(courtDeliveries);
    });
  }
});

// ---- webhook endpoints --------------------------------------------------------------------------

describe('webhook endpoints', () => {
  it('shows the signing secret once: in the 201 with a Location, never in a listing', async () => {
    const w = await makeWorld();

    const created = await registerWebhook(
      apiEvent('POST /v1/agency/webhooks', { headers: w.auth('owner'), body: { url: 'https://hooks.court.example/hanbeon', eventTypes: ['petition.review_requested'], description: '등기 심사 시스템' } }),
      w.deps,
    );
    const listed = await listWebhooks(apiEvent('GET /v1/agency/webhooks', { headers: w.auth('owner') }), w.deps);

    expect(created.statusCode).toBe(201);
    const { endpoint, secret } = bodyOf<{ endpoint: { id: string; agency: string }; secret: string }>(created);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.headers).toMatchObject({ location: `/v1/agency/webhooks/${endpoint.id}`, 'cache-control': 'no-store' });
    expect(endpoint).toMatchObject({ agency: 'court', url: 'https://hooks.court.example/hanbeon', description: '등기 심사 시스템', status: 'active' });
    expect(bodyOf(listed)).toEqual({ endpoints: [endpoint] });
    expect(listed.body).not.toContain(secret.slice('whsec_'.length));
    expect(listed.body).not.toContain('secrets');
  });

  it('rotates the secret: a new one, once, and the old one signing for 24 more hours', async () => {
    const w = await makeWorld();
    const { endpoint, secret: first } = await registerEndpoint(w);

    const rotated = await rotateWebhookSecret(apiEvent('POST /v1/agency/webhooks/{id}/rotate', { headers: w.auth('owner'), pathParameters: { id: endpoint.id } }), w.deps);
    const listed = await listWebhooks(apiEvent('GET /v1/agency/webhooks', { headers: w.auth('owner') }), w.deps);

    expect(rotated.statusCode).toBe(200);
    const { secret, previousSecretExpiresAt } = bodyOf<{ secret: string; previousSecretExpiresAt: string }>(rotated);
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(first);
    const graceEnds = Date.parse(previousSecretExpiresAt) - Date.now();
    expect(graceEnds).toBeGreaterThan(ROTATION_GRACE_MS - MINUTE);
    expect(graceEnds).toBeLessThanOrEqual(ROTATION_GRACE_MS);
    expect(bodyOf<{ endpoints: { secretRotationEndsAt?: string }[] }>(listed).endpoints[0]!.secretRotationEndsAt).toBe(previousSecretExpiresAt);
    for (const s of [first, secret]) expect(listed.body).not.toContain(s.slice('whsec_'.length));
  });

  it('signs webhooks to a real receiver with the secret the API showed', async () => {
    const w = await makeWorld();
    const receiver = await startWebhookReceiver();
    const transport = new HttpWebhookTransport({ policy: LOCAL_URL_POLICY });
    cleanups.push(() => receiver.close(), () => transport.close());
    const created = await registerWebhook(apiEvent('POST /v1/agency/webhooks', { headers: w.auth('owner'), body: { url: receiver.url, eventTypes: ['petition.completed'] } }), w.deps);
    const { secret } = bodyOf<{ secret: string }>(created);
    const petitionId = randomUUID();
    await w.deliveries.enqueueEvent(outboxEvent(`petition:${petitionId}:completed`, { type: 'petition.completed', timestamp: new Date().toISOString(), data: { petitionId, agency: 'court', outcome: 'completed' } }));

    await new DeliveryWorker({ store: w.deliveries, transport }).runDue();

    expect(receiver.received).toHaveLength(1);
    expect(verifiesWith(receiver.received[0]!, secret)).toBe(true);
  });

  it('refuses a webhook URL into private, loopback or metadata addresses, or plain http, with a 422 problem, and stores nothing', async () => {
    const w = await makeWorld({ policy: STRICT_URL_POLICY });
    const before = await w.snapshot();

    for (const [url, mentions] of [
      ['https://169.254.169.254/latest/meta-data/', '169.254.169.254'],
      ['https://127.0.0.1:8443/hook', '127.0.0.1'],
      ['https://[::ffff:10.0.0.1]/hook', 'private'],
      ['https://localhost/hook', 'localhost'],
      ['http://hooks.court.example/hook', 'http'],
    ] as const) {
      const answer = await registerWebhook(apiEvent('POST /v1/agency/webhooks', { headers: w.auth('owner'), body: { url, eventTypes: ['petition.completed'] } }), w.deps);

      const problem = expectProblem(answer, 422, 'endpoint-url-refused');
      expect(problem.detail).toContain(mentions);
    }
    expect(await w.snapshot()).toEqual(before);
  });

  it('answers bad registrations with problems: 422 with the path at fault, 400 for broken JSON, 415 for another media type', async () => {
    const w = await makeWorld();
    const post = (body: unknown, headers: Record<string, string> = {}) => registerWebhook(apiEvent('POST /v1/agency/webhooks', { headers: { ...w.auth('owner'), ...headers }, body }), w.deps);
    const before = await w.snapshot();

    const unknownType = expectProblem(await post({ url: 'https://a.example/', eventTypes: ['petition.exploded'] }), 422, 'validation-failed');
    const extraKey = expectProblem(await post({ url: 'https://a.example/', eventTypes: ['petition.completed'], secret: 'mine' }), 422, 'validation-failed');
    expectProblem(await post({ url: 'https://a.example/', eventTypes: [] }), 422, 'validation-failed');
    expectProblem(await post('{"url": ', { 'content-type': 'application/json' }), 400, 'malformed-json');
    expectProblem(await post('url=https://a.example/', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type');

    expect((unknownType as unknown as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['eventTypes[0]']);
    expect((extraKey as unknown as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['secret']);
    expect(await w.snapshot()).toEqual(before);
  });

  it('deletes an endpoint once: 204, then 404; a malformed id is 404 without a store read', async () => {
    const w = await makeWorld();
    const { endpoint } = await registerEndpoint(w);
    const del = (id: string) => deleteWebhook(apiEvent('DELETE /v1/agency/webhooks/{id}', { headers: w.auth('owner'), pathParameters: { id } }), w.deps);

    const first = await del(endpoint.id);
    const second = await del(endpoint.id);
    const malformed = await del('../../ENDPOINT#x');

    expect(first.statusCode).toBe(204);
    expect(first.body).toBeUndefined();
    expectProblem(second, 404, 'not-found');
    expectProblem(malformed, 404, 'not-found');
    expect(await w.deps.endpoints.list('court')).toEqual([]);
  });
});

// ---- deliveries ---------------------------------------------------------------------------------

describe('deliveries', () => {
  const range = (w: World) => ({ from: new Date(w.now.getTime() - 60 * MINUTE).toISOString(), to: new Date(Date.now() + 60 * MINUTE).toISOString() });

  it('lists, shows and replays a real delivery; the replay reaches the receiver again under the same webhook id', async () => {
    const w = await makeWorld();
    const receiver = await startWebhookReceiver();
    const transport = new HttpWebhookTransport({ policy: LOCAL_URL_POLICY });
    cleanups.push(() => receiver.close(), () => transport.close());
    const { endpoint, secret } = await registerEndpoint(w, 'court', receiver.url);
    receiver.useSecret(secret);
    const petitionId = randomUUID();
    await w.deliveries.enqueueEvent(outboxEvent(`petition:${petitionId}:completed`, { type: 'petition.completed', timestamp: new Date().toISOString(), data: { petitionId, agency: 'court', outcome: 'completed' } }));
    const worker = new DeliveryWorker({ store: w.deliveries, transport });
    await worker.runDue();
    const webhookId = receiver.received[0]!.webhookId;

    const listed = await listDeliveries(apiEvent('GET /v1/agency/deliveries', { headers: w.auth('owner'), query: range(w) }), w.deps);
    const shown = await getDelivery(apiEvent('GET /v1/agency/deliveries/{webhookId}', { headers: w.auth('owner'), pathParameters: { webhookId } }), w.deps);
    const replayed = await replayDelivery(apiEvent('POST /v1/agency/deliveries/{webhookId}/replay', { headers: w.auth('owner'), pathParameters: { webhookId } }), w.deps);
    await worker.runDue();

    expect(listed.statusCode).toBe(200);
    const list = bodyOf<{ deliveries: Record<string, unknown>[] }>(listed);
    expect(list.deliveries.map((d) => d.webhookId)).toEqual([webhookId]);
    expect(list.deliveries[0]).not.toHaveProperty('body');
    expect(list.deliveries[0]).not.toHaveProperty('version');
    expect(shown.statusCode).toBe(200);
    const detail = bodyOf<{ delivery: { status: string; endpointId: string; body: string }; attempts: { statusCode?: number }[] }>(shown);
    expect(detail.delivery).toMatchObject({ status: 'delivered', endpointId: endpoint.id });
    expect(detail.delivery.body).toBe(receiver.received[0]!.body);
    expect(detail.attempts.map((a) => a.statusCode)).toEqual([204]);
    expect(replayed.statusCode).toBe(202);
    expect(bodyOf<{ delivery: { status: string; series: number } }>(replayed).delivery).toMatchObject({ status: 'pending', series: 2 });
    expect(receiver.received.map((r) => [r.webhookId, r.verified])).toEqual([
      [webhookId, true],
      [webhookId, true],
    ]);
  });

  it('replays a range, only the statuses asked for, and says what it skipped', async () => {
    const w = await makeWorld();
    const { endpoint } = await registerEndpoint(w);
    const dead = await makeDelivery(w, endpoint.id, 'dead');
    const delivered = await makeDelivery(w, endpoint.id, 'delivered');
    const pending = await makeDelivery(w, endpoint.id, 'pending');
    const post = (body: unknown) => replayDeliveries(apiEvent('POST /v1/agency/deliveries/replay', { headers: w.auth('owner'), body }), w.deps);

    const onlyDead = await post({ ...range(w), statuses: ['dead'] });
    const everything = await post(range(w));

    expect(bodyOf(onlyDead)).toEqual({ replayed: [dead.webhookId], skipped: [] });
    expect(bodyOf<{ replayed: string[]; skipped: unknown[] }>(everything).replayed).toEqual([delivered.webhookId]);
    expect(bodyOf<{ skipped: { webhookId: string }[] }>(everything).skipped.map((s) => s.webhookId).sort()).toEqual([dead.webhookId, pending.webhookId].sort());
  });

  it('refuses to replay to a deleted endpoint with a 409 problem', async () => {
    const w = await makeWorld();
    const { endpoint } = await registerEndpoint(w);
    const { webhookId } = await makeDelivery(w, endpoint.id);
    await w.deps.endpoints.delete('court', endpoint.id);
    const before = await w.snapshot();

    const answer = await replayDelivery(apiEvent('POST /v1/agency/deliveries/{webhookId}/replay', { headers: w.auth('owner'), pathParameters: { webhookId } }), w.deps);

    expectProblem(answer, 409, 'endpoint-not-active');
    expect(await w.snapshot()).toEqual(before);
  });

  it('answers bad listings and range replays with 422 problems naming the parameter', async () => {
    const w = await makeWorld();
    const { endpoint } = await registerEndpoint(w);
    await makeDelivery(w, endpoint.id);
    await makeDelivery(w, endpoint.id);
    const list = (query: Record<string, string>, credential: 'owner' | 'molit' = 'owner') => listDeliveries(apiEvent('GET /v1/agency/deliveries', { headers: w.auth(credential), query }), w.deps);
    const firstPage = bodyOf<{ cursor: string }>(await list({ ...range(w), limit: '1' }));
    const pathsOf = (answer: ApiResult) => (expectProblem(answer, 422, 'validation-failed') as unknown as { errors: { path: string }[] }).errors.map((e) => e.path);

    expect(firstPage.cursor).toEqual(expect.any(String));
    expect(pathsOf(await list({ from: 'yesterday' }))).toEqual(['from']);
    expect(pathsOf(await list({ from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }))).toEqual(['to']);
    expect(pathsOf(await list({ limit: '1000' }))).toEqual(['limit']);
    expect(pathsOf(await list({ form: '2030-01-01T00:00:00Z' }))).toEqual(['form']);
    // A cursor is bound to the agency that received it.
    expect(pathsOf(await list({ ...range(w), cursor: firstPage.cursor }, 'molit'))).toEqual(['cursor']);
    const replay = (body: unknown) => replayDeliveries(apiEvent('POST /v1/agency/deliveries/replay', { headers: w.auth('owner'), body }), w.deps);
    expect(pathsOf(await replay({ from: '2030-01-01T00:00:00Z', to: '2030-03-01T00:00:00Z' }))).toEqual(['to']);
    expect(pathsOf(await replay({ from: '2030-01-01T00:00:00Z', to: '2030-01-02T00:00:00Z', statuses: ['pending'] }))).toEqual(['statuses[0]']);
  });

  it('reads pages of a listing with the cursor it handed out, each delivery once', async () => {
    const w = await makeWorld();
    const { endpoint } = await registerEndpoint(w);
    const made = [await makeDelivery(w, endpoint.id), await makeDelivery(w, endpoint.id), await makeDelivery(w, endpoint.id)];
    const seen: string[] = [];

    let cursor: string | undefined;
    do {
      const answer = await listDeliveries(apiEvent('GET /v1/agency/deliveries', { headers: w.auth('owner'), query: { ...range(w), limit: '2', ...(cursor ? { cursor } : {}) } }), w.deps);
      const page = bodyOf<{ deliveries: { webhookId: string }[]; cursor?: string }>(answer);
      seen.push(...page.deliveries.map((d) => d.webhookId));
      cursor = page.cursor;
    } while (cursor);

    expect(seen.sort()).toEqual(made.map((d) => d.webhookId).sort());
  });
});

// ---- petitions addressed to an agency -----------------------------------------------------------

describe('petitions addressed to an agency', () => {
  const get = (w: World, id: string, credential: Parameters<World['auth']>[0]) => getAgencyPetition(apiEvent('GET /v1/agency/petitions/{id}', { headers: w.auth(credential), pathParameters: { id } }), w.deps);

  it("shows the handling agency the petition's status, decision, fields, evidence hashes and result hash", async () => {
    const w = await makeWorld();
    const petition = await makePetition(w, 'COMPLETED');

    const answer = await get(w, petition.id, 'owner');

    expect(answer.statusCode).toBe(200);
    const view = bodyOf<Record<string, unknown>>(answer);
    expect(view).toMatchObject({ id: petition.id, type: TYPE, role: 'handling', status: 'COMPLETED', fields: petition.fields, decision: petition.decision });
    expect(view.evidence).toEqual([
      { id: 'landRecord', documentType: 'land-register', agency: 'molit', retrievedAt: petition.createdAt, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { id: 'taxPayment', documentType: 'tax-payment-certificate', agency: 'nts', retrievedAt: petition.createdAt, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(view.result).toEqual({ document: 'result', sha256: 'c'.repeat(64), sealedBy: 'court', signedAt: petition.createdAt });
    // Who the citizen is, and where documents are kept, is not the agency API's to hand out.
    for (const hidden of [petition.subject, petition.identity.name, 'objectKey', 'evidence/', 'results/']) expect(answer.body).not.toContain(hidden);
  });

  it("shows a notified agency the petition without its fields (data minimisation)", async () => {
    const w = await makeWorld();
    const petition = await makePetition(w, 'COMPLETED');

    for (const agency of ['molit', 'nts'] as const) {
      const answer = await get(w, petition.id, agency);

      expect(answer.statusCode).toBe(200);
      const view = bodyOf<Record<string, unknown>>(answer);
      expect(view).toMatchObject({ id: petition.id, role: 'notified', status: 'COMPLETED', result: { sha256: 'c'.repeat(64) } });
      expect(view).not.toHaveProperty('fields');
      for (const value of Object.values(petition.fields)) if (typeof value === 'string') expect(answer.body).not.toContain(value);
    }
  });

  it('answers 404 for a petition of a type the catalog no longer has, and for an id that is not a UUID', async () => {
    const w = await makeWorld();
    const orphan = await makePetition(w, 'COMPLETED', 'retired-petition-type');

    expectProblem(await get(w, orphan.id, 'owner'), 404, 'not-found');
    expectProblem(await get(w, 'PETITION#x', 'owner'), 404, 'not-found');
  });
});

describe('review decisions', () => {
  const decide = (w: World, id: string, body: unknown, credential: Parameters<World['auth']>[0] = 'owner', headers: Record<string, string> = {}) =>
    decideReview(apiEvent('POST /v1/agency/petitions/{id}/decision', { headers: { ...w.auth(credential), ...headers }, pathParameters: { id }, body }), w.deps);

  it('accepts the handling agency’s decision with 202 and hands it to the review port once, reason composed (NFC)', async () => {
    const w = await makeWorld();
    const petition = await makePetition(w, 'AWAITING_REVIEW');
    const reason = '친족 간 매매로 확인되어 승인합니다';

    const answer = await decide(w, petition.id, { decision: 'approve', reason: reason.normalize('NFD') });

    expect(answer.statusCode).toBe(202);
    expect(answer.headers?.location).toBe(`/v1/agency/petitions/${petition.id}`);
    expect(bodyOf(answer)).toMatchObject({ id: petition.id, decision: 'approve', decidedBy: 'court', decidedAt: w.now.toISOString() });
    expect(w.reviews.calls).toEqual([{ petitionId: petition.id, outcome: 'approve', reason: reason.normalize('NFC'), decidedBy: 'court', decidedAt: w.now.toISOString() }]);
  });

  it('answers a second decision 409: the first one stands', async () => {
    const w = await makeWorld();
    const petition = await makePetition(w, 'AWAITING_REVIEW');

    const first = await decide(w, petition.id, { decision: 'reject', reason: '거래가액 소명 부족' });
    const second = await decide(w, petition.id, { decision: 'approve', reason: '재검토 결과 승인' });

    expect(first.statusCode).toBe(202);
    expectProblem(second, 409, 'review-not-pending');
    expect(w.reviews.calls.map((c) => c.outcome)).toEqual(['reject', 'approve']);
  });

  it('answers a notified agency 404, as if the petition did not exist, and never calls the port', async () => {
    const w = await makeWorld();
    const petition = await makePetition(w, 'AWAITING_REVIEW');

    const answers = [await decide(w, petition.id, { decision: 'approve', reason: '승인' }, 'molit'), await decide(w, petition.id, { decision: 'approve', reason: '승인' }, 'nts')];
    const missing = await decide(w, MISSING_PETITION, { decision: 'approve', reason: '승인' }, 'molit');

    for (const answer of answers) expect({ ...expectProblem(answer, 404, 'not-found'), detail: undefined }).toEqual({ ...expectProblem(missing, 404, 'not-found'), detail: undefined });
    expect(w.reviews.calls).toEqual([]);
  });

  it.each(['COMPLETED', 'DECIDING', 'REJECTED'] as const)('answers 409 for a petition that is %s, not AWAITING_REVIEW, and never calls the port', async (status) => {
    const w = await makeWorld();
    const petition = await makePetition(w, status);

    const answer = await decide(w, petition.id, { decision: 'approve', reason: '승인' });

    expect(expectProblem(answer, 409, 'review-not-pending')).toMatchObject({ status: 409 });
    expect(bodyOf(answer)).toMatchObject({ detail: expect.stringContaining(status) });
    expect(w.reviews.calls).toEqual([]);
  });

  it('answers bad decision bodies with 422 / 400 / 415 problems and never calls the port', async () => {
    const w = await makeWorld();
    const { id } = await makePetition(w, 'AWAITING_REVIEW');
    const pathsOf = (answer: ApiResult) => (expectProblem(answer, 422, 'validation-failed') as unknown as { errors: { path: string }[] }).errors.map((e) => e.path);

    expect(pathsOf(await decide(w, id, { decision: 'maybe', reason: '보류' }))).toEqual(['decision']);
    expect(pathsOf(await decide(w, id, { decision: 'approve', reason: '' }))).toEqual(['reason']);
    expect(pathsOf(await decide(w, id, { decision: 'approve', reason: ' \n\t ' }))).toEqual(['reason']);
    expect(pathsOf(await decide(w, id, { decision: 'approve', reason: 'a'.repeat(2001) }))).toEqual(['reason']);
    expect(pathsOf(await decide(w, id, { decision: 'approve' }))).toEqual(['reason']);
    expect(pathsOf(await decide(w, id, { decision: 'approve', reason: '승인', decidedBy: 'molit' }))).toEqual(['decidedBy']);
    expectProblem(await decide(w, id, '{"decision":', 'owner', { 'content-type': 'application/json' }), 400, 'malformed-json');
    expectProblem(await decide(w, id, 'decision=approve', 'owner', { 'content-type': 'text/plain' }), 415, 'unsupported-media-type');
    expect(w.reviews.calls).toEqual([]);
  });

  it('measures the 2000-character limit on the composed text: 2000 syllables typed decomposed are accepted', async () => {
    const w = await makeWorld();
    const { id } = await makePetition(w, 'AWAITING_REVIEW');
    const decomposed = '검'.repeat(2000).normalize('NFD');

    const answer = await decide(w, id, { decision: 'reject', reason: decomposed });

    expect(decomposed.length).toBeGreaterThan(2000);
    expect(answer.statusCode).toBe(202);
    expect(w.reviews.calls[0]!.reason).toHaveLength(2000);
  });
});
