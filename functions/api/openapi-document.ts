/** The OpenAPI 3.1 description of the API, generated from the same zod schemas the handlers validate with. */
import { z } from 'zod';
import { ConditionSchema } from '../../shared/catalog/schema.ts';
import { PROBLEM_BASE, PROBLEM_TYPES } from './problem.ts';
import { API_ROUTES, type ApiRoute } from './routes.ts';
import { health, petitionAccepted, petitionTypeList, petitionTypeSummary, petitionTypeView, petitionView, problemDocument, submitPetitionRequest } from './schemas.ts';

/** Component schemas: every API schema registered with `.meta({ id })` in schemas.ts, cross-referenced by $ref. */
const componentSchemas = (): Record<string, unknown> => {
  const ids = [submitPetitionRequest, petitionAccepted, petitionView, petitionTypeList, petitionTypeSummary, petitionTypeView, problemDocument, health, ConditionSchema].map((s) => z.globalRegistry.get(s)?.id);
  const { schemas } = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.entries(schemas)
      .filter(([id]) => ids.includes(id))
      .map(([id, schema]) => {
        const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
        return [id, rest];
      }),
  );
};

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const ok = (description: string, ref: string, status = '200') => ({
  [status]: { description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } },
});

const OPERATIONS: Record<string, Record<string, unknown>> = {
  Health: { summary: 'Liveness', responses: ok('The platform is up', 'Health') },
  OpenApi: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } } } },
  ListPetitionTypes: { summary: 'Petition types this platform accepts', responses: ok('The catalog', 'PetitionTypeList') },
  GetPetitionType: {
    summary: 'One petition type: its fields, required evidence, rules and a worked example',
    responses: { ...ok('The petition type', 'PetitionType'), '404': problem('No such petition type') },
  },
  SubmitPetition: {
    summary: 'Submit a petition; its documents are fetched from the issuing agencies, nothing is uploaded',
    parameters: [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', maxLength: 255 }, description: 'Same key and body → the same petition' }],
    requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SubmitPetitionRequest' } } } },
    responses: {
      ...ok('Accepted: the workflow runs', 'PetitionAccepted', '202'),
      '400': problem('Malformed JSON, missing or invalid Idempotency-Key'),
      '401': problem('Missing or refused ID token'),
      '413': problem('Body too large'),
      '415': problem('Not JSON'),
      '422': problem('Validation failed, unknown petition type, consent missing, or Idempotency-Key reused with another body'),
    },
  },
  GetPetition: {
    summary: "A petition's status, decision, evidence and timeline (owner only)",
    responses: { ...ok('The petition', 'Petition'), '401': problem('Missing or refused ID token'), '404': problem('No such petition, or not yours') },
  },
  GetResult: {
    summary: 'The signed result or rejection notice: a PAdES B-LT PDF sealed by the handling agency (owner only)',
    responses: {
      '200': { description: 'The signed PDF; X-Content-SHA256 and ETag carry its SHA-256', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
      '401': problem('Missing or refused ID token'),
      '404': problem('No such petition, not yours, or not signed yet'),
    },
  },
  GetPetitionEvents: {
    summary: "The petition's status changes as server-sent events (owner only): send Last-Event-ID to get only newer ones; `event: end` closes the stream",
    responses: {
      '200': { description: 'text/event-stream: `status` events with id = number of changes so far, then `end` once the petition has its outcome', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      '401': problem('Missing or refused ID token'),
      '404': problem('No such petition, or not yours'),
    },
  },
  GetDataAccess: {
    summary: "Who retrieved which of the caller's documents (issuing agency, petition, time, consent) and which agency read their petitions or results, newest first — the citizen's view of the audit trail",
    parameters: [
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 }, description: 'Entries per page (default 20)' },
      { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'The cursor of the previous page' },
    ],
    responses: {
      '200': { description: '`entries` (kind `evidence-retrieval` or `agency-access`, each with its audit record id and chain seq) and `cursor` when there are more', content: { 'application/json': { schema: { type: 'object' } } } },
      '401': problem('Missing or refused ID token'),
      '422': problem('Invalid limit or cursor'),
    },
  },
  RegisterWebhook: { summary: 'Register a webhook endpoint (agency): the signing secret is shown once', responses: { '201': { description: 'The endpoint and its secret' }, '401': problem('Missing or refused API key'), '422': problem('Invalid body or refused URL') } },
  ListWebhooks: { summary: "The agency's webhook endpoints (no secrets)", responses: { '200': { description: 'Endpoints' }, '401': problem('Missing or refused API key') } },
  DeleteWebhook: { summary: 'Delete a webhook endpoint', responses: { '204': { description: 'Deleted' }, '401': problem('Missing or refused API key'), '404': problem('No such endpoint of this agency') } },
  RotateWebhookSecret: { summary: 'Rotate the signing secret: the old one keeps signing for 24 h', responses: { '200': { description: 'The new secret' }, '401': problem('Missing or refused API key'), '404': problem('No such endpoint of this agency') } },
  ListDeliveries: { summary: "The agency's webhook deliveries in a time range", responses: { '200': { description: 'Deliveries' }, '401': problem('Missing or refused API key'), '422': problem('Invalid range or cursor') } },
  ReplayDeliveries: { summary: 'Replay every delivery in a time range (same webhook-id each)', responses: { '202': { description: 'Replayed' }, '401': problem('Missing or refused API key'), '422': problem('Invalid range') } },
  GetDelivery: { summary: 'One delivery with every attempt (status, latency, error)', responses: { '200': { description: 'The delivery log' }, '401': problem('Missing or refused API key'), '404': problem('No such delivery of this agency') } },
  ReplayDelivery: { summary: 'Replay one delivery (same webhook-id)', responses: { '202': { description: 'Replayed' }, '401': problem('Missing or refused API key'), '404': problem('No such delivery of this agency'), '409': problem('Endpoint no longer active') } },
  GetAgencyPetition: { summary: 'A petition addressed to the agency (handling or notified)', responses: { '200': { description: 'The petition' }, '401': problem('Missing or refused API key'), '404': problem('No such petition addressed to this agency') } },
  GetAgencyResult: { summary: 'The signed result of a petition addressed to the agency', responses: { '200': { description: 'The signed PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, '401': problem('Missing or refused API key'), '404': problem('No such petition or result') } },
  DecideReview: { summary: "The handling agency's case-officer decision on a petition waiting for review", responses: { '202': { description: 'Accepted: the workflow resumes' }, '401': problem('Missing or refused API key'), '404': problem('No such petition handled by this agency'), '409': problem('Not waiting for review, or already decided'), '422': problem('Invalid body') } },
  GetRootCertificate: {
    summary: 'The root certificate (PEM): the only trust anchor an auditor needs to validate any result offline',
    responses: { '200': { description: 'X.509 certificate, PEM', content: { 'application/x-pem-file': { schema: { type: 'string' } } } } },
  },
  GetCrl: {
    summary: "The seal CA's current certificate revocation list (DER)",
    responses: { '200': { description: 'X.509 CRL, DER', content: { 'application/pkix-crl': { schema: { type: 'string', format: 'binary' } } } } },
  },
  GetIssuerCrl: {
    summary: 'The current CRL of one CA: root-ca, seal-ca or platform-seal (applicant seals); a trailing .crl is accepted',
    responses: {
      '200': { description: 'X.509 CRL, DER', content: { 'application/pkix-crl': { schema: { type: 'string', format: 'binary' } } } },
      '404': problem('No such CA'),
    },
  },
  VerifyPage: {
    summary: 'The verification page: drop a result PDF and the browser computes the verdict the offline CLI gives; the file is never uploaded',
    parameters: ['r', 'p', 'a', 'e'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' }, description: "A result QR code's coordinates (result, petition, agency, evidence list digest): shown, never part of the verdict" })),
    responses: { '200': { description: 'HTML, with a Content-Security-Policy that allows only this origin', content: { 'text/html': { schema: { type: 'string' } } } }, '304': { description: 'Not modified (If-None-Match)' } },
  },
  VerifyPageScript: {
    summary: "The verification page's script: the verifier core bundled for the browser",
    parameters: [{ name: 'v', in: 'query', required: false, schema: { type: 'string' }, description: 'Content version the page links; a matching version may be cached for good' }],
    responses: { '200': { description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } }, '304': { description: 'Not modified (If-None-Match)' } },
  },
  VerifyPageStyle: {
    summary: "The verification page's style sheet",
    parameters: [{ name: 'v', in: 'query', required: false, schema: { type: 'string' }, description: 'Content version the page links; a matching version may be cached for good' }],
    responses: { '200': { description: 'CSS', content: { 'text/css': { schema: { type: 'string' } } } }, '304': { description: 'Not modified (If-None-Match)' } },
  },
};

const pathItem = (route: ApiRoute) => {
  const operation = { operationId: route.id, ...OPERATIONS[route.id] } as Record<string, unknown>;
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (pathParameters.length > 0) operation.parameters = [...pathParameters, ...((operation.parameters as unknown[]) ?? [])];
  if (route.auth === 'citizen') operation.security = [{ idToken: [] }];
  if (route.auth === 'agency') operation.security = [{ agencyApiKey: [] }];
  return operation;
};

/** Builds the document; `serverUrl` is where this instance answers. */
export function buildOpenApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: pathItem(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'hanbeon',
      version: '0.1.0',
      description: `Civil petitions end to end: one login, zero attachments, signed results. Errors are RFC 9457 problem documents; their types are ${Object.keys(PROBLEM_TYPES).map((slug) => PROBLEM_BASE + slug).join(', ')}.`,
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        idToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An OpenID Connect ID token from the identity provider' },
        agencyApiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'hbk_<agency>_<secret>', description: 'An agency API key (docs/agency-access.md)' },
      },
      schemas: componentSchemas(),
    },
  };
}
