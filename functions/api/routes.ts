/**
 * The HTTP API's routes: one table read by both the CDK stack (one Lambda per entry, an HTTP API
 * route each) and the local server (which calls the same handlers with an API Gateway v2 event).
 */
/** `citizen`: an OIDC ID token, checked by API Gateway's JWT authorizer and again by the handler. `agency`: an API key, checked by the handler (docs/agency-access.md). */
export type RouteAuth = 'none' | 'citizen' | 'agency';

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
  { id: 'GetPetitionEvents', method: 'GET', path: '/v1/petitions/{id}/events', entry: 'functions/api/petition-events.ts', auth: 'citizen' },
  { id: 'GetDataAccess', method: 'GET', path: '/v1/me/data-access', entry: 'functions/api/data-access.ts', auth: 'citizen' },
  { id: 'GetRootCertificate', method: 'GET', path: '/v1/trust/root.pem', entry: 'functions/api/trust.ts', auth: 'none' },
  { id: 'GetCrl', method: 'GET', path: '/v1/trust/crl', entry: 'functions/api/trust.ts', auth: 'none' },
  { id: 'GetIssuerCrl', method: 'GET', path: '/v1/trust/crl/{issuer}', entry: 'functions/api/trust.ts', auth: 'none' },
  { id: 'VerifyPage', method: 'GET', path: '/verify', entry: 'functions/api/verify-page.ts', auth: 'none' },
  { id: 'VerifyPageScript', method: 'GET', path: '/verify/app.js', entry: 'functions/api/verify-page.ts', auth: 'none' },
  { id: 'VerifyPageStyle', method: 'GET', path: '/verify/app.css', entry: 'functions/api/verify-page.ts', auth: 'none' },
  { id: 'RegisterWebhook', method: 'POST', path: '/v1/agency/webhooks', entry: 'functions/api/agency-webhooks.ts', auth: 'agency' },
  { id: 'ListWebhooks', method: 'GET', path: '/v1/agency/webhooks', entry: 'functions/api/agency-webhooks.ts', auth: 'agency' },
  { id: 'DeleteWebhook', method: 'DELETE', path: '/v1/agency/webhooks/{id}', entry: 'functions/api/agency-webhooks.ts', auth: 'agency' },
  { id: 'RotateWebhookSecret', method: 'POST', path: '/v1/agency/webhooks/{id}/rotate', entry: 'functions/api/agency-webhooks.ts', auth: 'agency' },
  { id: 'ListDeliveries', method: 'GET', path: '/v1/agency/deliveries', entry: 'functions/api/agency-deliveries.ts', auth: 'agency' },
  { id: 'ReplayDeliveries', method: 'POST', path: '/v1/agency/deliveries/replay', entry: 'functions/api/agency-deliveries.ts', auth: 'agency' },
  { id: 'GetDelivery', method: 'GET', path: '/v1/agency/deliveries/{webhookId}', entry: 'functions/api/agency-deliveries.ts', auth: 'agency' },
  { id: 'ReplayDelivery', method: 'POST', path: '/v1/agency/deliveries/{webhookId}/replay', entry: 'functions/api/agency-deliveries.ts', auth: 'agency' },
  { id: 'GetAgencyPetition', method: 'GET', path: '/v1/agency/petitions/{id}', entry: 'functions/api/agency-petitions.ts', auth: 'agency' },
  { id: 'GetAgencyResult', method: 'GET', path: '/v1/agency/petitions/{id}/result.pdf', entry: 'functions/api/agency-petitions.ts', auth: 'agency' },
  { id: 'DecideReview', method: 'POST', path: '/v1/agency/petitions/{id}/decision', entry: 'functions/api/agency-petitions.ts', auth: 'agency' },
];

/** Workflow Task functions: functions/workflow/<kebab-case state>.ts exporting `handler`. */
export const workflowEntry = (state: string): string =>
  `functions/workflow/${state.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;
