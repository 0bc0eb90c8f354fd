/**
 * The embedded platform: the whole of hanbeon in one process. Same handlers, same workflow
 * definition, same DynamoDB adapter as on AWS; local stand-ins for the rest (dynalite on disk, a
 * directory for S3, simulated agencies, a development identity provider).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import type { ApiDeps } from '../../functions/api/deps.ts';
import { getPetition } from '../../functions/api/get-petition.ts';
import { health } from '../../functions/api/health.ts';
import { openApi } from '../../functions/api/openapi.ts';
import { petitionTypes } from '../../functions/api/petition-types.ts';
import { submitPetition } from '../../functions/api/submit-petition.ts';
import type { PlatformConfig } from '../../functions/config.ts';
import { defaultTemplatesDir, loadCatalog, type Catalog } from '../../shared/catalog/load.ts';
import { HttpEvidenceSource, type AgencyConnection } from '../../shared/evidence/http-evidence-source.ts';
import { createTokenVerifier } from '../../shared/identity/token-verifier.ts';
import { DirectoryObjectStore } from '../../shared/store/directory-object-store.ts';
import { DynamoPetitionStore } from '../../shared/store/dynamo-petition-store.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { EvidenceSource } from '../../shared/evidence/ports.ts';
import * as steps from '../../shared/workflow/steps.ts';
import type { StepDeps } from '../../shared/workflow/steps.ts';
import { loadPetitionDefinition } from '../../workflows/definition-cache.ts';
import { bindRoutes, createLocalApiServer } from './api-server.ts';
import { createDevIdentityProvider, type DevIdentityProvider } from './dev-idp.ts';
import { devRoutes } from './dev-routes.ts';
import { createLocalDynamoClient, ensureTable, startDynalite } from './dynalite.ts';
import { createPopulation } from './population.ts';
import { startSimulatedAgency, type SimulatedAgency } from './simulated-agencies/index.ts';
import { loadOrCreateSigningKey } from './local-signing-keys.ts';
import { LocalWorkflowRunner, type TaskFunction } from './workflow-runner.ts';

export interface LocalPlatform {
  url: string;
  config: PlatformConfig;
  catalog: Catalog;
  runner: LocalWorkflowRunner;
  idp: DevIdentityProvider;
  agencies: ReadonlyMap<string, SimulatedAgency>;
  store: DynamoPetitionStore;
  objects: ObjectStore;
  /** Unfinished petitions found at start and resumed. */
  resumed: number;
  /** Stops taking requests, aborts running executions (replayed at the next start), closes everything. */
  close(): Promise<void>;
}

export interface LocalPlatformOptions {
  clock?: () => Date;
  logger?: Logger;
  /** Replaces the HTTP evidence source (tests inject failures this way). @default HTTP to the agencies */
  evidence?: EvidenceSource;
}

/** The Task functions the local runner calls, by state name: the same ones the Lambdas wrap. */
const taskFunctions = (deps: StepDeps): Record<string, TaskFunction> => ({
  VerifyIdentity: (input: steps.PetitionRef) => steps.verifyIdentity(input, deps),
  FetchEvidence: (input: steps.EvidenceItem) => steps.fetchEvidence(input, deps),
  Decide: (input: steps.PetitionRef) => steps.decidePetition(input, deps),
  Complete: (input: Parameters<typeof steps.completePetition>[0]) => steps.completePetition(input, deps),
  Reject: (input: Parameters<typeof steps.rejectPetition>[0]) => steps.rejectPetition(input, deps),
  RequestReview: (input: Parameters<typeof steps.requestReview>[0]) => steps.requestReview(input, deps),
  RecordFailure: (input: Parameters<typeof steps.recordFailure>[0]) => steps.recordFailure(input, deps),
});

/** Connects to each agency: configured real ones by URL, the others simulated on 127.0.0.1. */
async function connectAgencies(config: PlatformConfig, catalog: Catalog, dataDir: string) {
  const simulated = new Map<string, SimulatedAgency>();
  const connections = new Map<string, AgencyConnection>();
  const population = createPopulation({ seed: config.HANBEON_POPULATION_SEED, size: config.HANBEON_POPULATION_SIZE });
  try {
    for (const agency of catalog.agencies.values()) {
      const override = config.HANBEON_AGENCIES[agency.id];
      const timeoutMs = override?.timeoutMs ?? config.HANBEON_AGENCY_TIMEOUT_MS ?? agency.endpoint?.timeoutMs ?? 5000;
      if (override) {
        const jwksUrl = override.jwksUrl ?? `${override.baseUrl.replace(/\/$/, '')}/.well-known/jwks.json`;
        const keys = (await (await fetch(jwksUrl, { signal: AbortSignal.timeout(timeoutMs) })).json()) as JSONWebKeySet;
        connections.set(agency.id, { id: agency.id, baseUrl: override.baseUrl, credential: override.credential ?? '', timeoutMs, keys });
        continue;
      }
      const running = await startSimulatedAgency({
        id: agency.id,
        population,
        credential: randomBytes(24).toString('base64url'),
        signingKey: await loadOrCreateSigningKey(join(dataDir, 'keys'), `agency-${agency.id}`),
        ...(config.HANBEON_AGENCY_FAULTS[agency.id] ? { faults: config.HANBEON_AGENCY_FAULTS[agency.id] } : {}),
      });
      simulated.set(agency.id, running);
      connections.set(agency.id, { id: agency.id, baseUrl: running.baseUrl, credential: running.credential, timeoutMs, keys: running.jwks });
    }
  } catch (error) {
    await Promise.all([...simulated.values()].map((a) => a.close()));
    throw error;
  }
  return { simulated, connections, population };
}

/** Starts the embedded platform and replays any petition a previous run left unfinished. */
export async function startLocalPlatform(config: PlatformConfig, options: LocalPlatformOptions = {}): Promise<LocalPlatform> {
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? new Logger({ serviceName: 'hanbeon', logLevel: 'WARN' });
  const dataDir = resolve(config.DATA_DIR);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const catalog = await loadCatalog(config.HANBEON_TEMPLATES_DIR ?? defaultTemplatesDir);

  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch((error: unknown) => logger.error('error while closing', { error }));
  };
  try {
    const dynalite = await startDynalite({ path: join(dataDir, 'dynamodb') });
    closers.push(() => dynalite.close());
    const dynamo = createLocalDynamoClient(dynalite.endpoint);
    closers.push(async () => dynamo.destroy());
    await ensureTable(dynamo, config.HANBEON_TABLE_NAME);
    const store = new DynamoPetitionStore({
      client: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
      tableName: config.HANBEON_TABLE_NAME,
      clock,
    });
    const objects = new DirectoryObjectStore(join(dataDir, 'objects'));

    const { simulated, connections, population } = await connectAgencies(config, catalog, dataDir);
    closers.push(async () => {
      await Promise.all([...simulated.values()].map((a) => a.close()));
    });

    const stepDeps: StepDeps = {
      store,
      objects,
      catalog,
      evidence: options.evidence ?? new HttpEvidenceSource({ agencies: connections }),
      clock,
    };
    const runner = new LocalWorkflowRunner({
      definition: await loadPetitionDefinition(),
      tasks: taskFunctions(stepDeps),
      ...(config.HANBEON_RETRY_INTERVAL_MS !== undefined ? { retryIntervalMs: config.HANBEON_RETRY_INTERVAL_MS } : {}),
      logger,
    });
    closers.push(() => runner.close());

    // The issuer URL names the port, so the server listens before the identity provider exists.
    const late: { apiDeps?: ApiDeps; devIdp?: DevIdentityProvider } = {};
    const server = createLocalApiServer<ApiDeps>({
      routes: bindRoutes<ApiDeps>({
        Health: health,
        OpenApi: openApi,
        ListPetitionTypes: petitionTypes,
        GetPetitionType: petitionTypes,
        SubmitPetition: submitPetition,
        GetPetition: getPetition,
      }),
      deps: () => late.apiDeps!,
      extraRoutes: [devRoutes(() => ({ idp: late.devIdp!, agencies: simulated }))],
      maxBodyBytes: config.HANBEON_MAX_BODY_BYTES,
      onError: (error) => logger.error('local server error', { error }),
    });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(config.PORT, config.HOST, () => resolveListen());
    });
    // Closed first (closers run in reverse): no new requests while the rest shuts down.
    closers.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });
    const { port } = server.address() as AddressInfo;
    const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

    const issuer = `${url}/dev/idp`;
    const devIdp = await createDevIdentityProvider({
      issuer,
      audience: config.HANBEON_OIDC_AUDIENCE,
      population,
      clock,
      signingKey: await loadOrCreateSigningKey(join(dataDir, 'keys'), 'dev-identity-provider'),
    });
    late.devIdp = devIdp;
    late.apiDeps = {
      mode: 'local',
      catalog,
      store,
      verifyToken: createTokenVerifier({ issuer, audience: config.HANBEON_OIDC_AUDIENCE, jwks: devIdp.jwks(), now: clock }),
      workflow: runner,
      clock,
      logger,
      limits: { maxBodyBytes: config.HANBEON_MAX_BODY_BYTES, idempotencyTtlHours: config.HANBEON_IDEMPOTENCY_TTL_HOURS },
    };

    const resumed = await runner.recover((cursor) => store.listActivePetitionIds({ limit: 100, ...(cursor ? { cursor } : {}) }));
    return { url, config, catalog, runner, idp: devIdp, agencies: simulated, store, objects, resumed, close };
  } catch (error) {
    await close();
    throw error;
  }
}
