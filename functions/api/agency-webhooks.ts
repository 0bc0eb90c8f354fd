/**
 * An agency's webhook endpoints over HTTP — a translation onto shared/delivery's EndpointRegistry:
 *
 * - POST   /v1/agency/webhooks              register → 201 { endpoint, secret } (the secret, this once)
 * - GET    /v1/agency/webhooks              list, without secrets
 * - DELETE /v1/agency/webhooks/{id}         → 204
 * - POST   /v1/agency/webhooks/{id}/rotate  → 200 { secret, previousSecretExpiresAt }
 *
 * Another agency's endpoint is answered exactly like a missing one (404).
 */
import { DeliveryConflictError, EndpointNotFoundError, EndpointUrlRefusedError, endpointRegistrationSchema } from '../../shared/delivery/index.ts';
import { describeIssues } from '../../shared/petition/fields.ts';
import { lambdaHandler } from '../lambda.ts';
import { authenticateAgency } from './agency-auth.ts';
import type { AgencyApiDeps } from './agency-deps.ts';
import { type ApiEvent, type ApiResult, byRoute, json, readJsonBody, withProblems } from './http.ts';
import { notFound, ProblemError } from './problem.ts';

/** Endpoint ids as EndpointRegistry makes them: anything else is answered as not found before it reaches the store. */
const ENDPOINT_ID = /^ep_[A-Za-z0-9_-]{16}$/;

const NO_STORE = { 'cache-control': 'no-store' };

const endpointIdOf = (event: ApiEvent): string => {
  const id = event.pathParameters?.id ?? '';
  if (!ENDPOINT_ID.test(id)) throw notFound(`webhook endpoint '${id.slice(0, 64)}'`);
  return id;
};

/** The registry's refusals as problems; anything else is not the client's doing and stays an error. */
const asProblem = (error: unknown, endpointId?: string): never => {
  if (error instanceof EndpointNotFoundError) throw notFound(`webhook endpoint '${endpointId ?? ''}'`);
  if (error instanceof EndpointUrlRefusedError) {
    throw new ProblemError('endpoint-url-refused', 'Webhook URL refused', error.message, {
      errors: [{ path: 'url', message: error.message }],
    });
  }
  if (error instanceof DeliveryConflictError) throw new ProblemError('conflict', 'Conflict', 'the endpoint was changed by another request at the same time; try again');
  throw error;
};

export const registerWebhook = withProblems<AgencyApiDeps>(async (event, deps): Promise<ApiResult> => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  const parsed = endpointRegistrationSchema.safeParse(readJsonBody(event, deps.limits.maxBodyBytes));
  if (!parsed.success) {
    const errors = describeIssues(parsed.error);
    throw new ProblemError('validation-failed', 'Validation failed', errors.map((i) => `${i.path}: ${i.message}`).join('; '), { errors });
  }
  const { endpoint, secret } = await deps.endpoints.register(agency, parsed.data).catch((error: unknown) => asProblem(error));
  const location = `/v1/agency/webhooks/${endpoint.id}`;
  return json(201, { endpoint, secret }, { location, ...NO_STORE });
});

export const listWebhooks = withProblems<AgencyApiDeps>(async (event, deps) => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  return json(200, { endpoints: await deps.endpoints.list(agency) }, NO_STORE);
});

export const deleteWebhook = withProblems<AgencyApiDeps>(async (event, deps) => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  const id = endpointIdOf(event);
  await deps.endpoints.delete(agency, id).catch((error: unknown) => asProblem(error, id));
  return { statusCode: 204, headers: NO_STORE };
});

export const rotateWebhookSecret = withProblems<AgencyApiDeps>(async (event, deps) => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  const id = endpointIdOf(event);
  const { secret, previousExpiresAt } = await deps.endpoints.rotateSecret(agency, id).catch((error: unknown) => asProblem(error, id));
  return json(200, { secret, previousSecretExpiresAt: previousExpiresAt }, NO_STORE);
});

export const handler = lambdaHandler(byRoute({
  'POST /v1/agency/webhooks': registerWebhook,
  'GET /v1/agency/webhooks': listWebhooks,
  'DELETE /v1/agency/webhooks/{id}': deleteWebhook,
  'POST /v1/agency/webhooks/{id}/rotate': rotateWebhookSecret,
}));
