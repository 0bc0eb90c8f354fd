/**
 * How the platform reaches real issuing agencies, in both modes: base URL from the deployment's
 * HANBEON_AGENCIES or the agency template, the bearer credential (from a secret when one is
 * configured, never a plain variable), the agency's published keys by URL. Agencies with no address
 * are left out: the embedded platform simulates them, a deployment cannot reach them.
 */
import type { JSONWebKeySet } from 'jose';
import type { Agency } from '../shared/catalog/schema.ts';
import type { Catalog } from '../shared/catalog/load.ts';
import type { AgencyConnection } from '../shared/evidence/http-evidence-source.ts';
import type { AgencyOverride, PlatformConfig } from './config.ts';

export interface AgencyConnectionDeps {
  /** Reads a secret's value by ARN (Secrets Manager on AWS). Needed only where a credentialSecretArn is configured. */
  readSecret?: (arn: string) => Promise<string>;
  fetchImpl?: typeof fetch;
}

/** Per-request timeout: the deployment's override, then the global setting, then the agency template. */
export const agencyTimeoutMs = (config: PlatformConfig, agency: Agency): number =>
  config.HANBEON_AGENCIES[agency.id]?.timeoutMs ?? config.HANBEON_AGENCY_TIMEOUT_MS ?? agency.endpoint.timeoutMs;

async function credentialOf(override: AgencyOverride | undefined, deps: AgencyConnectionDeps): Promise<string> {
  if (!override?.credentialSecretArn) return override?.credential ?? '';
  if (!deps.readSecret) throw new Error(`a credential secret (${override.credentialSecretArn}) is configured, but this mode cannot read secrets`);
  return deps.readSecret(override.credentialSecretArn);
}

/** One connection per agency that has an address; fails at start if an agency's keys cannot be fetched. */
export async function agencyConnections(config: PlatformConfig, catalog: Catalog, deps: AgencyConnectionDeps = {}): Promise<Map<string, AgencyConnection>> {
  const fetchImpl = deps.fetchImpl ?? fetch;
  const connections = new Map<string, AgencyConnection>();
  for (const agency of catalog.agencies.values()) {
    const override = config.HANBEON_AGENCIES[agency.id];
    const baseUrl = override?.baseUrl ?? agency.endpoint.baseUrl;
    if (!baseUrl) continue;
    const jwksUrl = override?.jwksUrl ?? `${baseUrl.replace(/\/$/, '')}/.well-known/jwks.json`;
    const answer = await fetchImpl(jwksUrl, { signal: AbortSignal.timeout(5000) });
    if (!answer.ok) throw new Error(`agency '${agency.id}' keys at ${jwksUrl} answered ${answer.status}`);
    connections.set(agency.id, {
      id: agency.id,
      baseUrl,
      credential: await credentialOf(override, deps),
      timeoutMs: agencyTimeoutMs(config, agency),
      keys: (await answer.json()) as JSONWebKeySet,
    });
  }
  return connections;
}
