/**
 * The HTTP API's routes: one table read by both the CDK stack (one Lambda per entry, an HTTP API
 * route each) and the local server (which calls the same handlers with an API Gateway v2 event).
 */
export type RouteAuth = 'none' | 'citizen';

export interface ApiRoute {
  /** Stable id, also the Lambda's logical name. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path template: `{name}` is one path segment. */
  readonly path: string;
  /** Module under functions/api exporting `handler`, relative to the repository root. */
  readonly entry: string;
  readonly auth: RouteAuth;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { id: 'Health', method: 'GET', path: '/health', entry: 'functions/api/health.ts', auth: 'none' },
  { id: 'OpenApi', method: 'GET', path: '/openapi.json', entry: 'functions/api/openapi.ts', auth: 'none' },
  { id: 'ListPetitionTypes', method: 'GET', path: '/v1/petition-types', entry: 'functions/api/petition-types.ts', auth: 'none' },
  { id: 'GetPetitionType', method: 'GET', path: '/v1/petition-types/{id}', entry: 'functions/api/petition-types.ts', auth: 'none' },
  { id: 'SubmitPetition', method: 'POST', path: '/v1/petitions', entry: 'functions/api/submit-petition.ts', auth: 'citizen' },
  { id: 'GetPetition', method: 'GET', path: '/v1/petitions/{id}', entry: 'functions/api/get-petition.ts', auth: 'citizen' },
  { id: 'GetResult', method: 'GET', path: '/v1/petitions/{id}/result.pdf', entry: 'functions/api/get-result.ts', auth: 'citizen' },
  { id: 'GetRootCertificate', method: 'GET', path: '/v1/trust/root.pem', entry: 'functions/api/trust.ts', auth: 'none' },
  { id: 'GetCrl', method: 'GET', path: '/v1/trust/crl', entry: 'functions/api/trust.ts', auth: 'none' },
  { id: 'GetIssuerCrl', method: 'GET', path: '/v1/trust/crl/{issuer}', entry: 'functions/api/trust.ts', auth: 'none' },
];

/** Workflow Task functions: functions/workflow/<kebab-case state>.ts exporting `handler`. */
export const workflowEntry = (state: string): string =>
  `functions/workflow/${state.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;
