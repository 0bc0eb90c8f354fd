/**
 * Local-only routes: the development identity provider (/dev/idp/…) and a view of the simulated
 * agencies (/dev/agencies). They exist only in the embedded platform, never on AWS.
 */
import { json, type ApiResult } from '../../functions/api/http.ts';
import { ProblemError, problemResponse } from '../../functions/api/problem.ts';
import type { AssuranceLevel } from '../../shared/petition/model.ts';
import { ASSURANCE_LEVELS } from '../../shared/petition/model.ts';
import type { ExtraRoute } from './api-server.ts';
import type { DevIdentityProvider } from './dev-idp.ts';
import type { SimulatedAgency } from './simulated-agencies/index.ts';
import type { Catalog } from '../../shared/catalog/load.ts';
import { issueAgencyApiKey, type AgencyKeyStore } from '../../shared/identity/agency-api-keys.ts';

const noStore = (body: unknown): ApiResult => json(200, body, { 'cache-control': 'no-store' });

const parseTokenRequest = (body: Buffer): { subject: string; assurance?: AssuranceLevel } => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ProblemError('malformed-json', 'Malformed JSON', 'expected {"subject": "<citizen id>", "assurance"?: "low|substantial|high"}');
  }
  const { subject, assurance } = (parsed ?? {}) as { subject?: unknown; assurance?: unknown };
  if (typeof subject !== 'string' || subject === '') {
    throw new ProblemError('validation-failed', 'Validation failed', 'subject: expected a citizen id string (see GET /dev/idp/citizens)');
  }
  if (assurance !== undefined && !ASSURANCE_LEVELS.includes(assurance as AssuranceLevel)) {
    throw new ProblemError('validation-failed', 'Validation failed', `assurance: expected one of ${ASSURANCE_LEVELS.join(', ')}, received ${JSON.stringify(assurance)}`);
  }
  return { subject, ...(assurance ? { assurance: assurance as AssuranceLevel } : {}) };
};

const AGENCY_KEY_PATH = /^\/dev\/agencies\/([a-z0-9-]+)\/api-keys$/;

export const devRoutes =
  (context: () => { idp: DevIdentityProvider; agencies: ReadonlyMap<string, SimulatedAgency>; catalog: Catalog; agencyKeys: AgencyKeyStore; clock: () => Date }): ExtraRoute =>
  async ({ method, path, body }) => {
    if (!path.startsWith('/dev/')) return undefined;
    const { idp, agencies, catalog, agencyKeys, clock } = context();
    try {
      if (method === 'POST' && path === '/dev/idp/token') {
        try {
          return noStore(await idp.issueToken(parseTokenRequest(body)));
        } catch (error) {
          if ((error as Error).name === 'UnknownCitizenError') {
            throw new ProblemError('validation-failed', 'Validation failed', `subject: no such citizen in the synthetic population (see GET /dev/idp/citizens)`);
          }
          throw error;
        }
      }
      if (method === 'GET' && path === '/dev/idp/citizens') return noStore({ items: idp.citizens() });
      if (method === 'GET' && path === '/dev/idp/jwks.json') return noStore(idp.jwks());
      if (method === 'GET' && path === '/dev/idp/.well-known/openid-configuration') return noStore(idp.discovery());
      // An API key for any agency of the catalog, as its operator would get one (shown once).
      const agencyKey = AGENCY_KEY_PATH.exec(path);
      if (method === 'POST' && agencyKey) {
        const agency = agencyKey[1]!;
        if (!catalog.agencies.has(agency)) throw new ProblemError('not-found', 'Not found', `no agency '${agency}' in the catalog (agencies: ${[...catalog.agencies.keys()].join(', ')})`);
        const { key, keyId } = await issueAgencyApiKey(agencyKeys, agency, 'development', clock());
        return noStore({ agency, keyId, key });
      }
      if (method === 'GET' && path === '/dev/agencies') {
        return noStore({ items: [...agencies.values()].map((a) => ({ id: a.id, baseUrl: a.baseUrl, documentRequests: a.requestCount() })) });
      }
      return undefined;
    } catch (error) {
      if (error instanceof ProblemError) return problemResponse(error);
      throw error;
    }
  };
