/**
 * Composition root for AWS Lambda: builds the adapters once per cold start from the validated
 * configuration. Handlers never construct clients themselves (DESIGN §3).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JSONWebKeySet } from 'jose';
import { defaultTemplatesDir, loadCatalog, type Catalog } from '../shared/catalog/load.ts';
import { HttpEvidenceSource, type AgencyConnection } from '../shared/evidence/http-evidence-source.ts';
import { createTokenVerifier } from '../shared/identity/token-verifier.ts';
import { DynamoPetitionStore } from '../shared/store/dynamo-petition-store.ts';
import { S3ObjectStore } from '../shared/store/s3-object-store.ts';
import { SfnWorkflowStarter } from '../shared/workflow/sfn-workflow-starter.ts';
import type { StepDeps } from '../shared/workflow/steps.ts';
import type { ApiDeps } from './api/deps.ts';
import { loadConfig, type PlatformConfig } from './config.ts';

const once = <T>(build: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= build());
};

const base = once(async () => {
  const config = loadConfig();
  const logger = new Logger({ serviceName: 'hanbeon' });
  const catalog = await loadCatalog(config.HANBEON_TEMPLATES_DIR ?? defaultTemplatesDir);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoPetitionStore({ client, tableName: config.HANBEON_TABLE_NAME });
  return { config, logger, catalog, store };
});

/** Fetches each agency's published keys; a real agency is configured by URL, not code. */
async function agencyConnections(config: PlatformConfig, catalog: Catalog): Promise<Map<string, AgencyConnection>> {
  const connections = new Map<string, AgencyConnection>();
  for (const agency of catalog.agencies.values()) {
    const override = config.HANBEON_AGENCIES[agency.id];
    const baseUrl = override?.baseUrl ?? agency.endpoint?.baseUrl;
    if (!baseUrl) continue; // Not configured in this deployment: retrieval from it fails as unavailable.
    const jwksUrl = override?.jwksUrl ?? `${baseUrl.replace(/\/$/, '')}/.well-known/jwks.json`;
    const answer = await fetch(jwksUrl, { signal: AbortSignal.timeout(5000) });
    if (!answer.ok) throw new Error(`agency '${agency.id}' keys at ${jwksUrl} answered ${answer.status}`);
    connections.set(agency.id, {
      id: agency.id,
      baseUrl,
      credential: override?.credential ?? '',
      timeoutMs: override?.timeoutMs ?? config.HANBEON_AGENCY_TIMEOUT_MS ?? agency.endpoint?.timeoutMs ?? 5000,
      keys: (await answer.json()) as JSONWebKeySet,
    });
  }
  return connections;
}

export const awsApiDeps = once(async (): Promise<ApiDeps> => {
  const { config, logger, catalog, store } = await base();
  const issuer = config.HANBEON_OIDC_ISSUER!;
  return {
    mode: 'aws',
    catalog,
    store,
    verifyToken: createTokenVerifier({
      issuer,
      audience: config.HANBEON_OIDC_AUDIENCE,
      jwks: new URL(config.HANBEON_OIDC_JWKS_URL ?? `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`),
    }),
    workflow: new SfnWorkflowStarter({ client: new SFNClient({}), stateMachineArn: config.HANBEON_STATE_MACHINE_ARN ?? '' }),
    clock: () => new Date(),
    logger,
    limits: { maxBodyBytes: config.HANBEON_MAX_BODY_BYTES, idempotencyTtlHours: config.HANBEON_IDEMPOTENCY_TTL_HOURS },
  };
});

export const awsStepDeps = once(async (): Promise<StepDeps> => {
  const { config, catalog, store } = await base();
  const connections = await agencyConnections(config, catalog);
  return {
    store,
    catalog,
    objects: new S3ObjectStore({ client: new S3Client({}), bucket: config.HANBEON_BUCKET_NAME! }),
    evidence: new HttpEvidenceSource({ agencies: connections }),
    agencyKeys: async (agencyId) => {
      const connection = connections.get(agencyId);
      if (!connection) throw new Error(`agency '${agencyId}' is not configured in this deployment`);
      return connection.keys;
    },
    clock: () => new Date(),
  };
});
