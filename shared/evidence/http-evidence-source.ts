/**
 * EvidenceSource over the agency protocol (docs/agency-protocol.md): the same adapter talks to the
 * simulated agencies locally and to real agencies in the cloud. Every way an answer can go wrong
 * becomes one of the port's four named errors, so the workflow's Retry/Catch can route it.
 */
import type { JSONWebKeySet } from 'jose';
import { AgencyUnavailableError, EvidenceNotFoundError, IssuerSignatureInvalidError, MalformedEvidenceError } from '../errors.ts';
import type { EvidenceQuery, EvidenceSource, IssuedDocument, IssuedDocumentPayload } from './ports.ts';
import { verifyIssuedDocument } from './verify-document.ts';

export interface AgencyConnection {
  id: string;
  /** Agency endpoint root, e.g. https://agency.example/api (a trailing slash is ignored). */
  baseUrl: string;
  /** Bearer credential the agency issued to the platform. */
  credential: string;
  /** Whole-exchange budget (connect, answer and body). */
  timeoutMs: number;
  /** The agency's published public keys (its JWKS). */
  keys: JSONWebKeySet;
}

export interface HttpEvidenceSourceOptions {
  agencies: ReadonlyMap<string, AgencyConnection>;
  /** @default globalThis.fetch */
  fetchImpl?: typeof fetch;
}

/** Documents are small; a larger answer is not a document and is not buffered. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

const mediaTypeOf = (response: Response): string =>
  (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

const failureReason = (error: unknown): string => {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'timeout';
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
};

/** Fetches issued documents from issuing agencies over HTTP and accepts only verified, minimal ones. */
export class HttpEvidenceSource implements EvidenceSource {
  readonly #agencies: ReadonlyMap<string, AgencyConnection>;
  readonly #fetch: typeof fetch;

  constructor(options: HttpEvidenceSourceOptions) {
    for (const [key, connection] of options.agencies) {
      if (key !== connection.id) throw new Error(`agency connection registered as '${key}' has id '${connection.id}'; expected the same id`);
      if (!(connection.timeoutMs > 0)) throw new Error(`agency ${key}: timeoutMs is ${connection.timeoutMs}; expected a positive number`);
      new URL(connection.baseUrl); // throws at construction, not mid-petition
    }
    this.#agencies = options.agencies;
    this.#fetch = options.fetchImpl ?? ((input, init) => fetch(input, init));
  }

  /** Retrieves one document; throws the port's named errors (see EvidenceSource). */
  async fetch(query: EvidenceQuery): Promise<IssuedDocument> {
    const agency = this.#agencies.get(query.agency);
    if (!agency) {
      throw new MalformedEvidenceError(`no connection configured for agency '${query.agency}'; expected one of ${[...this.#agencies.keys()].join(', ')}`);
    }
    const label = `agency ${agency.id} (${query.documentType})`;
    const raw = await this.#exchange(agency, query, label);
    const payload = await verifyIssuedDocument(raw, agency.keys);
    checkAnswersQuery(payload, query, label);
    return { raw, payload };
  }

  async #exchange(agency: AgencyConnection, query: EvidenceQuery, label: string): Promise<string> {
    const url = `${agency.baseUrl.replace(/\/+$/, '')}/documents/${encodeURIComponent(query.documentType)}`;
    const signal = AbortSignal.timeout(agency.timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${agency.credential}`, 'content-type': 'application/json', accept: 'application/jose' },
        // Identifiers travel in the body only, never in the URL (URLs end up in access logs).
        body: JSON.stringify({ lookupKey: query.lookupKey, subject: query.subject, fields: query.fields, purpose: query.purpose, consentedAt: query.consentedAt }),
        // A redirect would re-send personal identifiers to wherever it points.
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      throw new AgencyUnavailableError(`${label} did not answer (${failureReason(error)}); expected an answer within ${agency.timeoutMs} ms`, { cause: error });
    }

    const status = response.status;
    if (status >= 500 || status === 429 || status === 408) {
      await response.body?.cancel().catch(() => undefined);
      throw new AgencyUnavailableError(`${label} answered HTTP ${status}; expected 200`);
    }
    if (status === 404 && mediaTypeOf(response) === 'application/problem+json') {
      await response.body?.cancel().catch(() => undefined);
      throw new EvidenceNotFoundError(`${label} has no record for the lookup key`);
    }
    if (status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      // A plain 404 is a wrong URL, not a missing record: it must not reject the citizen's petition.
      throw new MalformedEvidenceError(`${label} refused the request with HTTP ${status} (${mediaTypeOf(response) || 'no content-type'}); expected 200 application/jose`);
    }
    if (mediaTypeOf(response) !== 'application/jose') {
      await response.body?.cancel().catch(() => undefined);
      throw new MalformedEvidenceError(`${label} answered content-type '${mediaTypeOf(response)}'; expected 'application/jose'`);
    }
    const declaredLength = Number(response.headers.get('content-length') ?? 0);
    if (declaredLength > MAX_DOCUMENT_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw new MalformedEvidenceError(`${label} answered ${declaredLength} bytes; expected at most ${MAX_DOCUMENT_BYTES}`);
    }
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      throw new AgencyUnavailableError(`${label} dropped the answer mid-body (${failureReason(error)}); expected a complete document`, { cause: error });
    }
    if (body.length > MAX_DOCUMENT_BYTES) {
      throw new MalformedEvidenceError(`${label} answered ${body.length} characters; expected at most ${MAX_DOCUMENT_BYTES}`);
    }
    return body.trim();
  }
}

/** A verified document must still be the one asked for, and contain nothing more than was asked. */
const checkAnswersQuery = (payload: IssuedDocumentPayload, query: EvidenceQuery, label: string): void => {
  if (payload.issuer !== query.agency) {
    // Signed with this agency's key but claiming another issuer: the signature does not vouch for it.
    throw new IssuerSignatureInvalidError(`${label} sent a document with issuer '${payload.issuer}'; expected '${query.agency}'`);
  }
  if (payload.documentType !== query.documentType) {
    throw new MalformedEvidenceError(`${label} sent document type '${payload.documentType}'; expected '${query.documentType}'`);
  }
  if (payload.subject !== query.subject) {
    // The subject identifies a person: say that it differs, not what it is.
    throw new MalformedEvidenceError(`${label} sent a document about another subject; expected the consenting subject`);
  }
  const extra = Object.keys(payload.fields).filter((field) => !query.fields.includes(field));
  if (extra.length > 0) {
    throw new MalformedEvidenceError(`${label} sent fields not requested (${extra.join(', ')}); expected only ${query.fields.join(', ')}`);
  }
};
