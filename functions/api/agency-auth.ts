/** Authenticates an agency's back-office system by its API key (docs/agency-access.md). */
import { verifyAgencyApiKey, type AgencyKeyStore } from '../../shared/identity/agency-api-keys.ts';
import { header, type ApiEvent } from './http.ts';
import { ProblemError } from './problem.ts';

const REALM = 'Bearer realm="hanbeon-agency"';

/** The token68 syntax of RFC 7235; anything else in the header is not a bearer credential. */
const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i;

const refused = (challenge: string) =>
  new ProblemError('unauthorized', 'Unauthorized', 'an agency API key is required: Authorization: Bearer hbk_… (missing, malformed, unknown and revoked keys are refused alike)', {}, { 'www-authenticate': challenge });

/**
 * The agency whose key the request carries. Missing, malformed, unknown and revoked keys all get the
 * same 401, so a caller cannot tell a revoked key from one that never existed. The key is never logged.
 */
export async function authenticateAgency(event: ApiEvent, store: AgencyKeyStore): Promise<{ agency: string; keyId: string }> {
  const match = BEARER.exec(header(event, 'authorization') ?? '');
  // RFC 6750 §3.1: no error code when no credential was sent; `invalid_token` for every refused one.
  if (!match) throw refused(REALM);
  const verified = await verifyAgencyApiKey(store, match[1]!);
  if (!verified) throw refused(`${REALM}, error="invalid_token"`);
  return verified;
}
