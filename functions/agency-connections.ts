/**
 * How the AWS composition root reaches real issuing agencies: base URL and timeout from the catalog
 * or the deployment's HANBEON_AGENCIES, the bearer credential from Secrets Manager (never from a
 * plain environment variable when a secret is configured), the agency's published keys by URL.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { JSONWebKeySet } from 'jose';
import type { Catalog } from '../shared/catalog/load.ts';
import type { AgencyConnection } from '../shared/evidence/http-evidence-source.ts';
import type { PlatformConfig } from './config.ts';

export interface AgencyConnectionDeps {
  secrets: SecretsManagerClient;
  fetchImpl?: typeof fetch;
}

async function credentialOf(override: PlatformConfig['HANBEON_AGENCIES'][string] | undefined, deps: AgencyConnectionDeps): Promise<string> {
  if (!override?.credentialSecretArn) return override?.credential ?? '';
  const secret = await deps.secrets.send(new GetSecretValueCommand({ SecretId: override.credentialSecretArn }));
  if (!secret.SecretString) throw new Error(`secret ${override.credentialSecretArn} has no string value`);
  return secret.SecretString;
}

/** One connection per agency that this deployment has an address for. */
export async function agencyConnections(config: PlatformConfig, catalog: Catalog, deps: AgencyConnectionDeps): Promise<Map<string, AgencyConnection>> {
  const fetchImpl = deps.fetchImpl ?? fetch;
  const connections = new Map<string, AgencyConnection>();
  for (const agency of catalog.agencies.values()) {
    const override = config.HANBEON_AGENCIES[agency.id];
    const baseUrl = override?.baseUrl ?? agency.endpoint?.baseUrl;
    if (!baseUrl) continue; // Not configured in this deployment: retrieval from it fails as malformed configuration.
    const jwksUrl = override?.jwksUrl ?? `${baseUrl.replace(/\/$/, '')}/.well-known/jwks.json`;
    const answer = await fetchImpl(jwksUrl, { signal: AbortSignal.timeout(5000) });
    if (!answer.ok) throw new Error(`agency '${agency.id}' keys at ${jwksUrl} answered ${answer.status}`);
    connections.set(agency.id, {
      id: agency.id,
      baseUrl,
      credential: await credentialOf(override, deps),
      timeoutMs: override?.timeoutMs ?? config.HANBEON_AGENCY_TIMEOUT_MS ?? agency.endpoint?.timeoutMs ?? 5000,
      keys: (await answer.json()) as JSONWebKeySet,
    });
  }
  return connections;
}
