/**
 * RFC 9457 problem details. Every refusal the API makes is one of these, with a stable `type` URI
 * (docs/api/problems.md lists them); anything unexpected becomes a generic 500 and a log line.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export const PROBLEM_BASE = 'https://hanbeon.dev/problems/';

/** Petition ids are UUIDs; anything else is answered as not found before it reaches the store. */
export const PETITION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const PROBLEM_TYPES = {
  'malformed-json': 400,
  'idempotency-key-missing': 400,
  'idempotency-key-invalid': 400,
  unauthorized: 401,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'review-not-pending': 409,
  'endpoint-not-active': 409,
  'body-too-large': 413,
  'unsupported-media-type': 415,
  'validation-failed': 422,
  'unknown-petition-type': 422,
  'consent-missing': 422,
  'idempotency-key-reused': 422,
  'endpoint-url-refused': 422,
  internal: 500,
  'identity-provider-unavailable': 503,
} as const;
export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/** A client-facing refusal; thrown inside handlers and turned into a response at the edge. */
export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly slug: ProblemSlug,
    readonly title: string,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(`${slug}: ${detail}`);
    this.name = 'ProblemError';
    this.status = PROBLEM_TYPES[slug];
  }

  toDocument(): ProblemDocument {
    return { type: PROBLEM_BASE + this.slug, title: this.title, status: this.status, detail: this.detail, ...this.extensions };
  }
}

export const problemResponse = (problem: ProblemError): APIGatewayProxyStructuredResultV2 => ({
  statusCode: problem.status,
  headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...problem.headers },
  body: JSON.stringify(problem.toDocument()),
});

export const notFound = (what: string): ProblemError => new ProblemError('not-found', 'Not found', `${what} does not exist or is not yours to see.`);
