/** Translation between API Gateway (v2 payload) events and the domain: parsing, auth, responses. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { VerifiedIdentity } from '../../shared/petition/model.ts';
import { ProblemError, problemResponse } from './problem.ts';

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type ApiHandler<D> = (event: ApiEvent, deps: D) => Promise<ApiResult>;

export interface ApiLogger {
  error(message: string, details: Record<string, unknown>): void;
}

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

/** A binary body (PDF, certificate, CRL), base64-encoded as API Gateway expects. */
export const binary = (statusCode: number, body: Uint8Array, contentType: string, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { 'content-type': contentType, 'content-length': String(body.length), ...headers },
  body: Buffer.from(body).toString('base64'),
  isBase64Encoded: true,
});

/** Header lookup; API Gateway v2 lower-cases header names, and so does the local server. */
export const header = (event: ApiEvent, name: string): string | undefined => event.headers?.[name.toLowerCase()];

/** Wraps a handler so client mistakes become problem documents and nothing else leaks a stack trace. */
export const withProblems =
  <D extends { logger: ApiLogger }>(handler: ApiHandler<D>): ApiHandler<D> =>
  async (event, deps) => {
    try {
      return await handler(event, deps);
    } catch (error) {
      if (error instanceof ProblemError) return problemResponse(error);
      deps.logger.error('unhandled error in API handler', { route: event.routeKey, error });
      return problemResponse(new ProblemError('internal', 'Internal error', 'The platform could not complete the request. The failure has been logged.'));
    }
  };

/** Reads a JSON body: media type, size and syntax are checked before anything looks inside. */
export function readJsonBody(event: ApiEvent, maxBytes: number): unknown {
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(contentType)) {
    throw new ProblemError('unsupported-media-type', 'Unsupported media type', `expected Content-Type application/json, received '${contentType || '(none)'}'`);
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) {
    throw new ProblemError('body-too-large', 'Request body too large', `the body is ${bytes.length} bytes; the limit is ${maxBytes} bytes`, { limit: maxBytes });
  }
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ProblemError('malformed-json', 'Malformed JSON', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Verifies the bearer ID token: a refused token is a 401 with the reason; a provider outage is a 503. */
export async function authenticate(event: ApiEvent, verify: (token: string) => Promise<VerifiedIdentity>): Promise<VerifiedIdentity> {
  const authorization = header(event, 'authorization') ?? '';
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/.exec(authorization);
  const challenge = { 'www-authenticate': 'Bearer realm="hanbeon"' };
  if (!match) {
    throw new ProblemError('unauthorized', 'Unauthorized', 'an Authorization: Bearer <ID token> header is required', {}, challenge);
  }
  try {
    return await verify(match[1]!);
  } catch (error) {
    // The verifier rethrows what is not the token's fault (the provider's keys unreachable): the
    // citizen must not be told their token is bad, and a retry later may well succeed.
    if ((error as Error).name !== 'IdentityTokenInvalidError') {
      throw new ProblemError('identity-provider-unavailable', 'Identity provider unavailable', 'the identity provider could not be reached to check the token; try again shortly', {}, { 'retry-after': '5' });
    }
    const reason = (error as { reason?: string }).reason ?? 'invalid';
    throw new ProblemError('unauthorized', 'Unauthorized', `the ID token was refused (${reason})`, { reason }, { ...challenge, 'www-authenticate': `Bearer realm="hanbeon", error="invalid_token"` });
  }
}

/** One Lambda entry serving several routes: picks the handler by API Gateway's route key ("METHOD /path/{param}"). */
export const byRoute =
  <D>(handlers: Record<string, ApiHandler<D>>): ApiHandler<D> =>
  async (event, deps) => {
    const handler = handlers[event.routeKey];
    if (!handler) throw new Error(`no handler for route ${event.routeKey} in this function; it serves ${Object.keys(handlers).join(', ')}`);
    return handler(event, deps);
  };
