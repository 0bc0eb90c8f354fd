/**
 * One simulated issuing agency: a real HTTP server on 127.0.0.1 speaking the agency protocol
 * (docs/agency-protocol.md), so the platform's HTTP evidence source is exercised end to end
 * locally, failures included.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign, type JSONWebKeySet } from 'jose';
import { z } from 'zod';
import type { IssuedDocumentPayload } from '../../../shared/evidence/ports.ts';
import type { Population } from '../population.ts';
import { createFaultSchedule, type FaultMode, type FaultPlan } from './faults.ts';
import { documentNumberFor, documentsOf } from './records.ts';
import { generateAgencySigningKey, jwksOf, type AgencySigningKey } from './signing-key.ts';

export interface SimulatedAgencyOptions {
  /** Agency id, one of records.ts AGENCY_NAMES (mois, court, nts, molit). */
  id: string;
  population: Population;
  /** The bearer credential the platform must present. */
  credential: string;
  /** @default {} (no faults) */
  faults?: FaultPlan;
  /** Issuing time of documents. @default () => new Date() */
  clock?: () => Date;
  /** @default a fresh ES256 key generated at start */
  signingKey?: AgencySigningKey;
}

export interface SimulatedAgency {
  readonly id: string;
  /** e.g. http://127.0.0.1:43121 (no trailing slash). */
  readonly baseUrl: string;
  readonly credential: string;
  /** The public keys the agency publishes at /.well-known/jwks.json. */
  readonly jwks: JSONWebKeySet;
  /** Replaces the fault plan; its failFirst / failureRate sequence starts again from this call. */
  setFaults(plan: FaultPlan): void;
  /** Document requests received since start, failed ones included (JWKS fetches are not counted). */
  requestCount(): number;
  /** Stops listening and drops every open connection, hanging requests included. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
const PROBLEM_BASE = 'https://hanbeon.example/problems/agency/';

const requestSchema = z.object({
  lookupKey: z.string().min(1).max(512),
  subject: z.string().min(1).max(256),
  fields: z.array(z.string().min(1)).min(1),
  purpose: z.string().min(1).max(256),
  consentedAt: z.iso.datetime({ offset: true }),
});
type DocumentRequest = z.infer<typeof requestSchema>;

const sendProblem = (res: ServerResponse, status: number, type: string, title: string, detail?: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ type: `${PROBLEM_BASE}${type}`, title, status, ...(detail ? { detail } : {}) }));
};

class BadRequest extends Error {}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

const parseRequest = (body: string): DocumentRequest => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new BadRequest('request body is not JSON');
  }
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    throw new BadRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return parsed.data;
};

// Hashing first makes the comparison constant-time regardless of the presented length.
const sameSecret = (presented: string, expected: string) =>
  timingSafeEqual(createHash('sha256').update(presented).digest(), createHash('sha256').update(expected).digest());

const bearerOf = (req: IncomingMessage): string | undefined => /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];

/** Starts one simulated agency on 127.0.0.1 with an ephemeral port. */
export const startSimulatedAgency = async (options: SimulatedAgencyOptions): Promise<SimulatedAgency> => {
  const { id, population, credential, clock = () => new Date() } = options;
  const documents = documentsOf(id);
  if (documents.size === 0) throw new Error(`unknown agency id '${id}'; expected one of mois, court, nts, molit`);
  if (!credential) throw new Error(`agency '${id}' needs a non-empty credential`);
  const signingKey = options.signingKey ?? (await generateAgencySigningKey());
  // Same kid as the published key, so a verifier picks the right key and the signature itself fails.
  const impostorKey = await generateAgencySigningKey(signingKey.kid);
  const jwks = jwksOf(signingKey);

  let faults = createFaultSchedule(options.faults);
  let received = 0;
  let closed = false;
  const pendingDelays = new Set<() => void>();

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms === 0) return resolve();
      const finish = () => {
        clearTimeout(timer);
        pendingDelays.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      pendingDelays.add(finish);
    });

  const issue = async (documentType: string, request: DocumentRequest, key: AgencySigningKey, res: ServerResponse) => {
    const definition = documents.get(documentType);
    if (!definition) {
      // 400, not 404: an unknown document type is a platform misconfiguration, not "no record for this citizen".
      return sendProblem(res, 400, 'unknown-document-type', 'Unknown document type', `agency ${id} does not issue '${documentType}'; it issues ${[...documents.keys()].join(', ')}`);
    }
    const unknownFields = request.fields.filter((f) => !definition.fields.includes(f));
    if (unknownFields.length > 0 || new Set(request.fields).size !== request.fields.length) {
      return sendProblem(res, 400, 'unknown-field', 'Field not on this document', `requested ${request.fields.join(', ')}; ${documentType} has ${definition.fields.join(', ')} (each at most once)`);
    }
    if (definition.lookupBy === 'subject' && request.lookupKey !== request.subject) {
      // Consent covers the consenting citizen's own records only.
      return sendProblem(res, 400, 'lookup-key-mismatch', 'Lookup key must be the subject', `${documentType} is looked up by the consenting citizen's own subject`);
    }
    const now = clock();
    const record = definition.find(request.lookupKey, population, now);
    if (!record) return sendProblem(res, 404, 'no-record', 'No record', `agency ${id} holds no ${documentType} for this lookup key`);

    const payload: IssuedDocumentPayload = {
      issuer: id,
      documentType,
      subject: request.subject,
      documentNumber: documentNumberFor({ agency: id, documentType, lookupKey: request.lookupKey, subject: request.subject, purpose: request.purpose }),
      issuedAt: now.toISOString(),
      // Data minimisation: only what was asked for leaves the agency.
      fields: Object.fromEntries(request.fields.map((f) => [f, record[f] ?? null])),
    };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .sign(key.privateKey);
    res.writeHead(200, { 'content-type': 'application/jose', 'cache-control': 'no-store' });
    res.end(jws);
  };

  const failWith = (fault: Exclude<FaultMode, 'none' | 'bad-signature'>, req: IncomingMessage, res: ServerResponse) => {
    switch (fault) {
      case 'http-500':
        return sendProblem(res, 500, 'internal', 'Internal Server Error');
      case 'http-503':
        return sendProblem(res, 503, 'maintenance', 'Service Unavailable', undefined, { 'retry-after': '1' });
      case 'timeout':
        return; // never answer; close() destroys the socket
      case 'refuse':
        return req.socket.destroy();
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/jose' });
        return res.end('<html>this is not a JWS</html>');
    }
  };

  const handleDocumentRequest = async (documentType: string, req: IncomingMessage, res: ServerResponse) => {
    received++;
    const fault = faults.next();
    const body = await readBody(req);
    await delay(faults.latencyMs);
    if (closed || req.socket.destroyed) return;
    if (fault !== 'none' && fault !== 'bad-signature') return failWith(fault, req, res);

    const presented = bearerOf(req);
    if (presented === undefined || !sameSecret(presented, credential)) {
      return sendProblem(res, 401, 'unauthorized', 'Unauthorized', 'present the credential issued to the platform as a Bearer token', { 'www-authenticate': 'Bearer' });
    }
    await issue(documentType, parseRequest(body), fault === 'bad-signature' ? impostorKey : signingKey, res);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', 'http://agency.invalid');
    if (pathname === '/.well-known/jwks.json' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      return res.end(JSON.stringify(jwks));
    }
    const documentType = /^\/documents\/([A-Za-z0-9-]+)$/.exec(pathname)?.[1];
    if (documentType === undefined) {
      // Plain text on purpose: only a problem document 404 means "no record" (see the protocol doc).
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('no such route');
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' });
      return res.end();
    }
    await handleDocumentRequest(documentType, req, res);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent || req.socket.destroyed) return;
      if (error instanceof BadRequest) return sendProblem(res, 400, 'bad-request', 'Bad Request', error.message);
      sendProblem(res, 500, 'internal', 'Internal Server Error');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    id,
    baseUrl: `http://127.0.0.1:${port}`,
    credential,
    jwks,
    setFaults: (plan) => {
      faults = createFaultSchedule(plan);
    },
    requestCount: () => received,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const finish of [...pendingDelays]) finish();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Hanging ('timeout') requests and idle keep-alive sockets would otherwise hold close() forever.
      server.closeAllConnections();
      await stopped;
    },
  };
};
