import { CompactSign, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createPopulation } from '../../../infra/local/population.ts';
import {
  generateAgencySigningKey,
  startSimulatedAgency,
  type AgencySigningKey,
  type FaultPlan,
  type SimulatedAgency,
} from '../../../infra/local/simulated-agencies/index.ts';
import { AgencyUnavailableError, EvidenceNotFoundError, IssuerSignatureInvalidError, MalformedEvidenceError } from '../../../shared/errors.ts';
import { HttpEvidenceSource, type AgencyConnection } from '../../../shared/evidence/http-evidence-source.ts';
import type { EvidenceQuery, IssuedDocumentPayload } from '../../../shared/evidence/ports.ts';
import { verifyIssuedDocument } from '../../../shared/evidence/verify-document.ts';

// --- factories -------------------------------------------------------------------------------

const population = createPopulation();
const kim = population.get('demo-kim-younghee')!;

const givenAgency = async ({ id = 'mois', ...options }: { id?: string; faults?: FaultPlan; signingKey?: AgencySigningKey } = {}): Promise<SimulatedAgency> => {
  const agency = await startSimulatedAgency({ id, population, credential: 'platform-credential', ...options });
  onTestFinished(() => agency.close());
  return agency;
};

const connectionTo = (agency: SimulatedAgency, overrides: Partial<AgencyConnection> = {}): AgencyConnection => ({
  id: agency.id,
  baseUrl: agency.baseUrl,
  credential: agency.credential,
  timeoutMs: 2000,
  keys: agency.jwks,
  ...overrides,
});

const sourceFor = (agency: SimulatedAgency, overrides: Partial<AgencyConnection> = {}) =>
  new HttpEvidenceSource({ agencies: new Map([[agency.id, connectionTo(agency, overrides)]]) });

const queryFor = (overrides: Partial<EvidenceQuery> = {}): EvidenceQuery => ({
  agency: 'mois',
  documentType: 'resident-registration',
  subject: kim.subject,
  lookupKey: kim.subject,
  fields: ['name', 'birthDate'],
  purpose: 'petition-0001',
  consentedAt: '2026-11-24T02:59:00.000Z',
  ...overrides,
});

const payloadFor = (overrides: Partial<IssuedDocumentPayload> = {}): IssuedDocumentPayload => ({
  issuer: 'mois',
  documentType: 'resident-registration',
  subject: kim.subject,
  documentNumber: 'MOIS-0000-0000-0000-0001',
  issuedAt: '2026-11-24T03:00:00.000Z',
  fields: { name: kim.name, birthDate: kim.birthDate },
  ...overrides,
});

const signed = async (key: AgencySigningKey, payload: unknown): Promise<string> =>
  new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.privateKey);

/**
 * An agency that misbehaves in ways the simulated one never does (over-sharing, wrong issuer…),
 * reached through `fetchImpl`; records the requests it received.
 */
const givenFakeAgency = async (answer: (key: AgencySigningKey) => Promise<Response> | Response) => {
  const key = await generateAgencySigningKey();
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    requests.push({ url: String(input), init });
    return answer(key);
  };
  const connection: AgencyConnection = { id: 'mois', baseUrl: 'https://mois.agency.example/api/', credential: 'c', timeoutMs: 1000, keys: { keys: [key.publicJwk] } };
  return { source: new HttpEvidenceSource({ agencies: new Map([['mois', connection]]), fetchImpl }), key, requests };
};

const jose = (body: string, status = 200) => new Response(body, { status, headers: { 'content-type': 'application/jose' } });
const answeringWith = (payload: unknown) => async (key: AgencySigningKey) => jose(await signed(key, payload));

/** Asserts the error's message carries none of the citizen's personal data. */
const expectNoPersonalData = (error: unknown) => {
  const message = (error as Error).message;
  for (const value of [kim.name, kim.birthDate, kim.subject, kim.address]) expect(message).not.toContain(value);
};

const failureOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => expect.unreachable('expected a failure'), (error: unknown) => error);

// --- happy path ------------------------------------------------------------------------------

describe('HttpEvidenceSource', () => {
  it('returns the document as issued, with the payload verified against the agency keys', async () => {
    const agency = await givenAgency();

    const document = await sourceFor(agency).fetch(queryFor());

    expect(document.payload).toMatchObject({ issuer: 'mois', documentType: 'resident-registration', subject: kim.subject });
    expect(document.payload.fields).toEqual({ name: kim.name, birthDate: kim.birthDate });
    expect(await verifyIssuedDocument(document.raw, agency.jwks)).toEqual(document.payload);
  });

  it('gets back only the fields it asked for (data minimisation)', async () => {
    const agency = await givenAgency({ id: 'nts' });

    const document = await sourceFor(agency).fetch(queryFor({ agency: 'nts', documentType: 'income-certificate', fields: ['monthlyIncome'] }));

    expect(Object.keys(document.payload.fields)).toEqual(['monthlyIncome']);
  });

  it('sends personal identifiers in the body, never in the URL', async () => {
    const { source, requests } = await givenFakeAgency(answeringWith(payloadFor()));

    await source.fetch(queryFor());

    expect(requests[0]!.url).toBe('https://mois.agency.example/api/documents/resident-registration');
    expect(JSON.parse(String(requests[0]!.init?.body))).toEqual({
      lookupKey: kim.subject, subject: kim.subject, fields: ['name', 'birthDate'], purpose: 'petition-0001', consentedAt: '2026-11-24T02:59:00.000Z',
    });
  });

  // --- agency unavailable (retried by the workflow) ------------------------------------------

  it('reports an agency that accepts the request but never answers as unavailable, within the timeout', async () => {
    const agency = await givenAgency({ faults: { mode: 'timeout' } });
    const started = Date.now();

    const error = await failureOf(sourceFor(agency, { timeoutMs: 150 }).fetch(queryFor()));

    expect(error).toBeInstanceOf(AgencyUnavailableError);
    expect((error as Error).message).toMatch(/agency mois .*timeout.*150 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports an agency slower than the timeout as unavailable', async () => {
    const agency = await givenAgency({ faults: { latencyMs: 500 } });

    await expect(sourceFor(agency, { timeoutMs: 100 }).fetch(queryFor())).rejects.toBeInstanceOf(AgencyUnavailableError);
  });

  it('reports an agency answering 500 as unavailable', async () => {
    const agency = await givenAgency({ faults: { mode: 'http-500' } });

    await expect(sourceFor(agency).fetch(queryFor())).rejects.toThrow(new AgencyUnavailableError('agency mois (resident-registration) answered HTTP 500; expected 200'));
  });

  it('reports an agency answering 503 as unavailable', async () => {
    const agency = await givenAgency({ faults: { mode: 'http-503' } });

    await expect(sourceFor(agency).fetch(queryFor())).rejects.toBeInstanceOf(AgencyUnavailableError);
  });

  it('reports an agency throttling with 429 as unavailable', async () => {
    const { source } = await givenFakeAgency(() => new Response(null, { status: 429 }));

    await expect(source.fetch(queryFor())).rejects.toBeInstanceOf(AgencyUnavailableError);
  });

  it('reports an agency that drops the connection as unavailable', async () => {
    const agency = await givenAgency({ faults: { mode: 'refuse' } });

    await expect(sourceFor(agency).fetch(queryFor())).rejects.toBeInstanceOf(AgencyUnavailableError);
  });

  it('reports an agency that is not listening as unavailable', async () => {
    const agency = await givenAgency();
    const source = sourceFor(agency);
    await agency.close();

    await expect(source.fetch(queryFor())).rejects.toThrow(/agency mois .*ECONNREFUSED/);
  });

  it('succeeds once an agency that failed its first requests recovers', async () => {
    const agency = await givenAgency({ faults: { mode: 'http-503', failFirst: 2 } });
    const source = sourceFor(agency);

    const first = await failureOf(source.fetch(queryFor()));
    const second = await failureOf(source.fetch(queryFor()));
    const third = await source.fetch(queryFor());

    expect(first).toBeInstanceOf(AgencyUnavailableError);
    expect(second).toBeInstanceOf(AgencyUnavailableError);
    expect(third.payload.fields).toEqual({ name: kim.name, birthDate: kim.birthDate });
    expect(agency.requestCount()).toBe(3);
  });

  // --- no record (business outcome) ----------------------------------------------------------

  it('reports a subject the agency has no record of as evidence not found', async () => {
    const agency = await givenAgency();

    const error = await failureOf(sourceFor(agency).fetch(queryFor({ subject: 'ghost-0001', lookupKey: 'ghost-0001' })));

    expect(error).toBeInstanceOf(EvidenceNotFoundError);
    expect((error as Error).message).not.toContain('ghost-0001');
  });

  it('does not mistake a 404 from a wrong base URL for a missing record', async () => {
    const agency = await givenAgency();

    const error = await failureOf(sourceFor(agency, { baseUrl: `${agency.baseUrl}/v2` }).fetch(queryFor()));

    expect(error).toBeInstanceOf(MalformedEvidenceError);
    expect((error as Error).message).toMatch(/HTTP 404 \(text\/plain\)/);
  });

  // --- request problems ----------------------------------------------------------------------

  it('reports a wrong credential as a request problem naming the status and the agency', async () => {
    const agency = await givenAgency();

    await expect(sourceFor(agency, { credential: 'revoked' }).fetch(queryFor())).rejects.toThrow(
      new MalformedEvidenceError('agency mois (resident-registration) refused the request with HTTP 401 (application/problem+json); expected 200 application/jose'),
    );
  });

  it('reports a field the document does not have as a request problem', async () => {
    const agency = await givenAgency();

    const error = await failureOf(sourceFor(agency).fetch(queryFor({ fields: ['name', 'bloodType'] })));

    expect(error).toBeInstanceOf(MalformedEvidenceError);
    expect((error as Error).message).toContain('HTTP 400');
  });

  it('refuses a query for an agency it has no connection to', async () => {
    const agency = await givenAgency();

    await expect(sourceFor(agency).fetch(queryFor({ agency: 'nts' }))).rejects.toThrow(/no connection configured for agency 'nts'; expected one of mois/);
  });

  it('refuses to follow a redirect, which would re-send the identifiers elsewhere', async () => {
    const { source } = await givenFakeAgency(() => new Response(null, { status: 307, headers: { location: 'https://elsewhere.example/' } }));

    await expect(source.fetch(queryFor())).rejects.toThrow(/HTTP 307/);
  });

  it('refuses a connection configured with a non-positive timeout at construction', () => {
    const connection = { id: 'mois', baseUrl: 'http://127.0.0.1:1', credential: 'c', timeoutMs: 0, keys: { keys: [] } };

    expect(() => new HttpEvidenceSource({ agencies: new Map([['mois', connection]]) })).toThrow(/timeoutMs is 0; expected a positive number/);
  });

  // --- unreadable answers --------------------------------------------------------------------

  it('refuses a 200 answer whose body is not a JWS', async () => {
    const agency = await givenAgency({ faults: { mode: 'malformed' } });

    await expect(sourceFor(agency).fetch(queryFor())).rejects.toBeInstanceOf(MalformedEvidenceError);
  });

  it('refuses an answer with another content type', async () => {
    const { source } = await givenFakeAgency(async (key) => new Response(await signed(key, payloadFor()), { headers: { 'content-type': 'text/html' } }));

    await expect(source.fetch(queryFor())).rejects.toThrow(new MalformedEvidenceError("agency mois (resident-registration) answered content-type 'text/html'; expected 'application/jose'"));
  });

  it('refuses a signed payload that is not an issued document', async () => {
    const { source } = await givenFakeAgency(answeringWith({ ...payloadFor(), documentNumber: undefined, issuedAt: 'yesterday' }));

    const error = await failureOf(source.fetch(queryFor()));

    expect(error).toBeInstanceOf(MalformedEvidenceError);
    expect((error as Error).message).toMatch(/documentNumber.*issuedAt|issuedAt.*documentNumber/s);
  });

  // --- signatures ----------------------------------------------------------------------------

  it('refuses a document signed by a key the agency did not publish', async () => {
    const agency = await givenAgency({ faults: { mode: 'bad-signature' } });

    const error = await failureOf(sourceFor(agency).fetch(queryFor()));

    expect(error).toBeInstanceOf(IssuerSignatureInvalidError);
    expect((error as Error).message).toContain('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('refuses documents from an agency re-keyed since its keys were configured', async () => {
    const configuredKey = await generateAgencySigningKey();
    const agency = await givenAgency({ signingKey: await generateAgencySigningKey() });

    const error = await failureOf(sourceFor(agency, { keys: { keys: [configuredKey.publicJwk] } }).fetch(queryFor()));

    expect(error).toBeInstanceOf(IssuerSignatureInvalidError);
    expect((error as Error).message).toContain(`kids: ${configuredKey.kid}`);
  });

  it('refuses a document that claims another issuer than the agency asked', async () => {
    const { source } = await givenFakeAgency(answeringWith(payloadFor({ issuer: 'nts' })));

    await expect(source.fetch(queryFor())).rejects.toThrow(new IssuerSignatureInvalidError("agency mois (resident-registration) sent a document with issuer 'nts'; expected 'mois'"));
  });

  // --- the answer must be the one asked for --------------------------------------------------

  it('refuses a document of another type than asked', async () => {
    const { source } = await givenFakeAgency(answeringWith(payloadFor({ documentType: 'family-relations' })));

    await expect(source.fetch(queryFor())).rejects.toThrow(/sent document type 'family-relations'; expected 'resident-registration'/);
  });

  it('refuses a document about another citizen, without naming either', async () => {
    const { source } = await givenFakeAgency(answeringWith(payloadFor({ subject: 'demo-lee-cheolsu' })));

    const error = await failureOf(source.fetch(queryFor()));

    expect(error).toBeInstanceOf(MalformedEvidenceError);
    expect((error as Error).message).not.toContain('demo-lee-cheolsu');
    expectNoPersonalData(error);
  });

  it('refuses a document carrying more fields than asked, without repeating their values', async () => {
    const { source } = await givenFakeAgency(answeringWith(payloadFor({ fields: { name: kim.name, birthDate: kim.birthDate, address: kim.address } })));

    const error = await failureOf(source.fetch(queryFor()));

    expect(error).toBeInstanceOf(MalformedEvidenceError);
    expect((error as Error).message).toContain('sent fields not requested (address); expected only name, birthDate');
    expectNoPersonalData(error);
  });
});

// --- verifyIssuedDocument --------------------------------------------------------------------

describe('verifyIssuedDocument', () => {
  it('returns the payload of a document signed with a published key', async () => {
    const key = await generateAgencySigningKey();

    const payload = await verifyIssuedDocument(await signed(key, payloadFor()), { keys: [key.publicJwk] });

    expect(payload).toEqual(payloadFor());
  });

  it('refuses an unsigned document', async () => {
    const key = await generateAgencySigningKey();
    const unsigned = new UnsecuredJWT(payloadFor() as unknown as Record<string, unknown>).encode();

    await expect(verifyIssuedDocument(unsigned, { keys: [key.publicJwk] })).rejects.toBeInstanceOf(IssuerSignatureInvalidError);
  });

  it('refuses a document signed with a shared secret (algorithm not on the allowlist)', async () => {
    const key = await generateAgencySigningKey();
    const hmac = await new SignJWT(payloadFor() as unknown as Record<string, unknown>).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(new Uint8Array(32));

    const error = await failureOf(verifyIssuedDocument(hmac, { keys: [key.publicJwk] }));

    expect(error).toBeInstanceOf(IssuerSignatureInvalidError);
    expect((error as Error).message).toContain('received alg HS256');
  });

  it('refuses a document whose payload was altered after signing', async () => {
    const key = await generateAgencySigningKey();
    const [header, , signature] = (await signed(key, payloadFor())).split('.');
    const altered = Buffer.from(JSON.stringify(payloadFor({ fields: { name: kim.name, birthDate: '1990-01-01' } }))).toString('base64url');

    await expect(verifyIssuedDocument(`${header}.${altered}.${signature}`, { keys: [key.publicJwk] })).rejects.toBeInstanceOf(IssuerSignatureInvalidError);
  });

  it('refuses a text that is not a compact JWS, saying what it expected', async () => {
    const key = await generateAgencySigningKey();

    const error = await failureOf(verifyIssuedDocument(`{"name":"${kim.name}"}`, { keys: [key.publicJwk] }));

    expectNoPersonalData(error);
    expect(error).toEqual(
      new MalformedEvidenceError('received 14 characters that are not a compact JWS; expected header.payload.signature in base64url'),
    );
  });
});
