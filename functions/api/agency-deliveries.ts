/**
 * An agency's delivery log over HTTP — a translation onto shared/delivery's DeliveryLog:
 *
 * - GET  /v1/agency/deliveries?from=&to=&limit=&cursor=   deliveries created in [from, to), oldest first
 * - GET  /v1/agency/deliveries/{webhookId}                one delivery, its body and every attempt
 * - POST /v1/agency/deliveries/{webhookId}/replay         a new series of attempts, same webhook id → 202
 * - POST /v1/agency/deliveries/replay {from, to, statuses?}  the same for every delivery in a range → 202
 *
 * Another agency's delivery is answered exactly like a missing one (404).
 */
import { z } from 'zod';
import {
  DeliveryConflictError,
  DeliveryNotFoundError,
  EndpointNotActiveError,
  EndpointNotFoundError,
  type Delivery,
} from '../../shared/delivery/index.ts';
import { describeIssues } from '../../shared/petition/fields.ts';
import { InvalidCursorError } from '../../shared/store/index.ts';
import { lambdaHandler } from '../lambda.ts';
import { authenticateAgency } from './agency-auth.ts';
import type { AgencyApiDeps } from './agency-deps.ts';
import { type ApiEvent, byRoute, json, readJsonBody, withProblems } from './http.ts';
import { notFound, ProblemError } from './problem.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A listing without `from` looks back this far from `to`. */
export const DEFAULT_LIST_WINDOW_MS = 7 * DAY_MS;
/** A range replay runs in one request: the range is bounded so that it finishes within one. */
export const MAX_REPLAY_RANGE_MS = 31 * DAY_MS;

/** Webhook ids as webhookIdFor makes them: anything else is answered as not found before it reaches the store. */
const WEBHOOK_ID = /^msg_[a-z2-7]{32}$/;

const NO_STORE = { 'cache-control': 'no-store' };

/** ISO timestamps with any offset, turned into the UTC form stored keys use (string order is then time order). */
const timestamp = z.iso.datetime({ offset: true }).transform((text) => new Date(text).toISOString());

const listQuery = z.strictObject({
  from: timestamp.optional(),
  to: timestamp.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(2048).optional(),
});

const replayRangeRequest = z
  .strictObject({
    from: timestamp,
    to: timestamp,
    statuses: z.array(z.enum(['delivered', 'dead', 'cancelled'])).min(1).optional(),
  })
  .refine((r) => r.from <= r.to, { path: ['to'], message: 'must not be before from' })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= MAX_REPLAY_RANGE_MS, { path: ['to'], message: `the range may span at most ${MAX_REPLAY_RANGE_MS / DAY_MS} days` });

const validationProblem = (issues: { path: string; message: string }[]) =>
  new ProblemError('validation-failed', 'Validation failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { errors: issues });

/** A delivery as the agency sees it: no storage bookkeeping, and the body only where one delivery is shown. */
const deliveryView = (delivery: Delivery, withBody: boolean) => {
  const { version: _version, body, ...view } = delivery;
  return withBody ? { ...view, body } : view;
};

const webhookIdOf = (event: ApiEvent): string => {
  const id = event.pathParameters?.webhookId ?? '';
  if (!WEBHOOK_ID.test(id)) throw notFound(`delivery '${id.slice(0, 64)}'`);
  return id;
};

/** The delivery log's refusals as problems; anything else is not the client's doing and stays an error. */
const asProblem =
  (webhookId: string) =>
  (error: unknown): never => {
    if (error instanceof DeliveryNotFoundError) throw notFound(`delivery '${webhookId}'`);
    if (error instanceof EndpointNotFoundError || error instanceof EndpointNotActiveError) {
      throw new ProblemError('endpoint-not-active', 'Endpoint not active', `delivery '${webhookId}' cannot be replayed: its endpoint has been deleted or disabled; register or re-enable an endpoint first`);
    }
    if (error instanceof DeliveryConflictError) throw new ProblemError('conflict', 'Conflict', `delivery '${webhookId}' was changed by another request at the same time; try again`);
    throw error;
  };

export const listDeliveries = withProblems<AgencyApiDeps>(async (event, deps) => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  const query = listQuery.safeParse(event.queryStringParameters ?? {});
  if (!query.success) throw validationProblem(describeIssues(query.error));
  const to = query.data.to ?? deps.clock().toISOString();
  const from = query.data.from ?? new Date(Date.parse(to) - DEFAULT_LIST_WINDOW_MS).toISOString();
  if (from > to) throw validationProblem([{ path: 'to', message: `must not be before from (${from}), received ${to}` }]);

  const page = await deps.deliveryLog.list(agency, { from, to }, { limit: query.data.limit, cursor: query.data.cursor }).catch((error: unknown) => {
    if (error instanceof InvalidCursorError) throw validationProblem([{ path: 'cursor', message: 'not a cursor this listing handed out (cursors belong to one agency and one range)' }]);
    throw error;
  });
  return json(200, { from, to, deliveries: page.items.map((d) => deliveryView(d, false)), ...(page.cursor ? { cursor: page.cursor } : {}) }, NO_STORE);
});

export const getDelivery = withProblems<AgencyApiDeps>(async (event, deps) => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  const webhookId = webhookIdOf(event);
  const { delivery, attempts } = await deps.deliveryLog.get(agency, webhookId).catch(asProblem(webhookId));
  return json(200, { delivery: deliveryView(delivery, true), attempts }, NO_STORE);
});

export const replayDelivery = withProblems<AgencyApiDeps>(async (event, deps) => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  const webhookId = webhookIdOf(event);
  const delivery = await deps.deliveryLog.replay(agency, webhookId).catch(asProblem(webhookId));
  return json(202, { delivery: deliveryView(delivery, false) }, { location: `/v1/agency/deliveries/${webhookId}`, ...NO_STORE });
});

export const replayDeliveries = withProblems<AgencyApiDeps>(async (event, deps) => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  const request = replayRangeRequest.safeParse(readJsonBody(event, deps.limits.maxBodyBytes));
  if (!request.success) throw validationProblem(describeIssues(request.error));
  const { from, to, statuses } = request.data;
  const outcome = await deps.deliveryLog.replayRange(agency, { from, to }, statuses ? { statuses } : {});
  return json(202, outcome, NO_STORE);
});

export const handler = lambdaHandler(byRoute({
  'GET /v1/agency/deliveries': listDeliveries,
  'GET /v1/agency/deliveries/{webhookId}': getDelivery,
  'POST /v1/agency/deliveries/{webhookId}/replay': replayDelivery,
  'POST /v1/agency/deliveries/replay': replayDeliveries,
}));
