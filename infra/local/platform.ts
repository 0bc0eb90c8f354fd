/**
 * The embedded platform: the whole of hanbeon in one process. Same handlers, same workflow
 * definition, same DynamoDB adapter as on AWS; local stand-ins for the rest (dynalite on disk, a
 * directory for S3, simulated agencies, a development identity provider).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { ApiDeps } from '../../functions/api/deps.ts';
import { getPetition } from '../../functions/api/get-petition.ts';
import { health } from '../../functions/api/health.ts';
import { openApi } from '../../functions/api/openapi.ts';
import { petitionTypes } from '../../functions/api/petition-types.ts';
import { submitPetition } from '../../functions/api/submit-petition.ts';
import { agencyConnections, agencyTimeoutMs } from '../../functions/agency-connections.ts';
import type { PlatformConfig } from '../../functions/config.ts';
import { defaultTemplatesDir, loadCatalog, type Catalog } from '../../shared/catalog/load.ts';
import { HttpEvidenceSource } from '../../shared/evidence/http-evidence-source.ts';
import { createTokenVerifier } from '../../shared/identity/token-verifier.ts';
import { DirectoryObjectStore } from '../../shared/store/directory-object-store.ts';
import { createDocumentClient, DynamoPetitionStore } from '../../shared/store/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { EvidenceSource } from '../../shared/evidence/ports.ts';
import * as steps from '../../shared/workflow/steps.ts';
import { loadPetitionDefinition } from '../../workflows/definition-cache.ts';
import type { TaskState } from '../../workflows/petition-workflow.ts';
import { getResult } from '../../functions/api/get-result.ts';
import { getPetitionEvents } from '../../functions/api/petition-events.ts';
import { getDelivery, listDeliveries, replayDeliveries, replayDelivery } from '../../functions/api/agency-deliveries.ts';
import { decideReview, getAgencyPetition, getAgencyResult } from '../../functions/api/agency-petitions.ts';
import { deleteWebhook, listWebhooks, registerWebhook, rotateWebhookSecret } from '../../functions/api/agency-webhooks.ts';
import { getCrl, getRootCertificate } from '../../functions/api/trust.ts';
import { getDataAccess } from '../../functions/api/data-access.ts';
import { AuditChainer, pkiCheckpointSealer } from '../../shared/audit/index.ts';
import { DynamoAuditStore } from '../../shared/store/dynamo-audit-store.ts';
import { startAuditLoop, type AuditLoop } from './audit-loop.ts';
import { verifyPageHandlers } from '../../functions/api/verify-page.ts';
import { bundledVerifyPage } from '../../web/build.ts';
import type { Pki } from '../../shared/seal/pki.ts';
import * as sealing from '../../shared/workflow/sealing-steps.ts';
import type { SealingStepDeps } from '../../shared/workflow/sealing-steps.ts';
import { developmentSecret } from './development-secrets.ts';
import { openLocalPki } from './local-pki.ts';
import { DeliveryLog, DeliveryWorker, EndpointRegistry, HttpWebhookTransport, LOCAL_URL_POLICY, type DeliveryStore } from '../../shared/delivery/index.ts';
import { DynamoAgencyKeyStore } from '../../shared/store/dynamo-agency-key-store.ts';
import { DynamoDeliveryStore } from '../../shared/store/dynamo-delivery-store.ts';
import { announceOutcome } from '../../shared/workflow/petition-events.ts';
import { startDeliveryLoop, type DeliveryLoop } from './delivery-loop.ts';
import { NotificationLog } from './notification-log.ts';
import { createLocalReviewGate } from './review-gate.ts';
import { DynamoReviewStore } from '../../shared/store/dynamo-review-store.ts';
import { bindRoutes, createLocalApiServer } from './api-server.ts';
import { createDevIdentityProvider, type DevIdentityProvider } from './dev-idp.ts';
import { devRoutes } from './dev-routes.ts';
import { createLocalDynamoClient, ensureTable, startDynalite } from './dynalite.ts';
import { publishStoreEndpoint } from './store-endpoint.ts';
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
  pki: Pki;
  deliveries: DeliveryStore;
  /** The webhook worker's loop (tests wait for it to be idle). */
  deliveryLoop: DeliveryLoop;
  /** The audit trail and its chainer's loop (tests flush it). */
  audit: DynamoAuditStore;
  auditLoop: AuditLoop;
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

/** Binds a step to its dependencies: what the local runner calls for a Task, as the Lambda does. */
const bind =
  <I, O>(step: (input: I, deps: SealingStepDeps) => Promise<O>, deps: SealingStepDeps): TaskFunction =>
  (input: never) =>
    step(input as I, deps);

/**
 * The Task functions by state name; typed against the definition's states so none can be missing
 * (the two review states come from the local review gate).
 */
const taskFunctions = (deps: SealingStepDeps): Omit<Record<TaskState, TaskFunction>, 'RequestReview' | 'EscalateReview'> => ({
  VerifyIdentity: bind(steps.verifyIdentity, deps),
  FetchEvidence: bind(steps.fetchEvidence, deps),
  Decide: bind(steps.decidePetition, deps),
  IssueSeal: bind(sealing.issueSeal, deps),
  RenderResult: bind(sealing.renderResult, deps),
  SignResult: bind(sealing.signResult, deps),
  Complete: bind(steps.completePetition, deps),
  Reject: bind(steps.rejectPetition, deps),
  RecordFailure: bind(steps.recordFailure, deps),
});

/**
 * Connects to each agency: those with an address (HANBEON_AGENCIES or the template) over HTTP like on
 * AWS, the others simulated on 127.0.0.1 with keys kept under DATA_DIR.
 */
async function connectAgencies(config: PlatformConfig, catalog: Catalog, dataDir: string) {
  const connections = await agencyConnections(config, catalog);
  const simulated = new Map<string, SimulatedAgency>();
  const population = createPopulation({ seed: config.HANBEON_POPULATION_SEED, size: config.HANBEON_POPULATION_SIZE });
  try {
    for (const agency of catalog.agencies.values()) {
      if (connections.has(agency.id)) continue;
      const running = await startSimulatedAgency({
        id: agency.id,
        population,
        credential: randomBytes(24).toString('base64url'),
        signingKey: await loadOrCreateSigningKey(join(dataDir, 'keys'), `agency-${agency.id}`),
        ...(config.HANBEON_AGENCY_FAULTS[agency.id] ? { faults: config.HANBEON_AGENCY_FAULTS[agency.id] } : {}),
      });
      simulated.set(agency.id, running);
      connections.set(agency.id, { id: agency.id, baseUrl: running.baseUrl, credential: running.credential, timeoutMs: agencyTimeoutMs(config, agency), keys: running.jwks });
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
    // The `hanbeon` command reaches the store through this while the platform holds its files.
    closers.push(await publishStoreEndpoint(dataDir, dynalite.endpoint));
    const dynamo = createLocalDynamoClient(dynalite.endpoint);
    closers.push(async () => dynamo.destroy());
    await ensureTable(dynamo, config.HANBEON_TABLE_NAME);
    const documents = createDocumentClient(dynamo);
    const store = new DynamoPetitionStore({ client: documents, tableName: config.HANBEON_TABLE_NAME, clock });
    const objects = new DirectoryObjectStore(join(dataDir, 'objects'));
    const deliveries = new DynamoDeliveryStore({ client: documents, tableName: config.HANBEON_TABLE_NAME });
    const agencyKeys = new DynamoAgencyKeyStore({ client: documents, tableName: config.HANBEON_TABLE_NAME });
    const audit = new DynamoAuditStore({ client: documents, tableName: config.HANBEON_TABLE_NAME });
    const deliveryClock = { now: clock };
    // Local mode may deliver to receivers on this machine (LOCAL_URL_POLICY); AWS never does.
    const transport = new HttpWebhookTransport({ policy: LOCAL_URL_POLICY });
    closers.push(async () => transport.close());
    const deliveryLoop = startDeliveryLoop({ worker: new DeliveryWorker({ store: deliveries, transport, clock: deliveryClock, audit }), store: deliveries, clock, logger });
    closers.push(() => deliveryLoop.close());
    const notifier = new NotificationLog(join(dataDir, 'notifications.log'));

    const { simulated, connections, population } = await connectAgencies(config, catalog, dataDir);
    closers.push(async () => {
      await Promise.all([...simulated.values()].map((a) => a.close()));
    });

    // The issuer URL names the port, so the server listens before the identity provider exists.
    const late: { apiDeps?: ApiDeps; devIdp?: DevIdentityProvider } = {};
    const secrets = {
      keyPassphrase: config.HANBEON_KEY_PASSPHRASE ?? (await developmentSecret(dataDir, 'key-passphrase')),
      rrnHashKey: Buffer.from(config.HANBEON_RRN_HASH_KEY ?? (await developmentSecret(dataDir, 'rrn-hash-key')), 'base64'),
    };
    const verifyPage = verifyPageHandlers(bundledVerifyPage);
    const server = createLocalApiServer<ApiDeps>({
      routes: bindRoutes<ApiDeps>({
        Health: health,
        OpenApi: openApi,
        ListPetitionTypes: petitionTypes,
        GetPetitionType: petitionTypes,
        SubmitPetition: submitPetition,
        GetPetition: getPetition,
        GetResult: getResult,
        GetPetitionEvents: getPetitionEvents,
        GetRootCertificate: getRootCertificate,
        GetCrl: getCrl,
        GetIssuerCrl: getCrl,
        GetDataAccess: getDataAccess,
        // Built with esbuild on the first request, once per process (docs/adr/0007-verification-page.md).
        VerifyPage: verifyPage.page,
        VerifyPageScript: verifyPage.script,
        VerifyPageStyle: verifyPage.style,
        RegisterWebhook: registerWebhook,
        ListWebhooks: listWebhooks,
        DeleteWebhook: deleteWebhook,
        RotateWebhookSecret: rotateWebhookSecret,
        ListDeliveries: listDeliveries,
        ReplayDeliveries: replayDeliveries,
        GetDelivery: getDelivery,
        ReplayDelivery: replayDelivery,
        GetAgencyPetition: getAgencyPetition,
        GetAgencyResult: getAgencyResult,
        DecideReview: decideReview,
      }),
      deps: () => late.apiDeps!,
      extraRoutes: [devRoutes(() => ({ idp: late.devIdp!, agencies: simulated, catalog, agencyKeys, clock }))],
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

    const publicBaseUrl = (config.HANBEON_PUBLIC_BASE_URL ?? url).replace(/\/+$/, '');
    const { pki } = await openLocalPki({ dataDir, passphrase: secrets.keyPassphrase, objects, catalog, clock, publicBaseUrl });
    const auditLoop = startAuditLoop({
      chainer: new AuditChainer({ store: audit, seal: pkiCheckpointSealer(pki), clock, checkpointEveryRecords: config.HANBEON_AUDIT_CHECKPOINT_RECORDS, checkpointIntervalMs: config.HANBEON_AUDIT_CHECKPOINT_SECONDS * 1000 }),
      intervalMs: config.HANBEON_AUDIT_CHAIN_INTERVAL_MS,
      logger,
    });
    closers.push(() => auditLoop.close());
    const stepDeps: SealingStepDeps = {
      store,
      objects,
      catalog,
      evidence: options.evidence ?? new HttpEvidenceSource({ agencies: connections }),
      clock,
      audit,
      pki,
      publicBaseUrl,
      applicantSealDays: config.HANBEON_APPLICANT_SEAL_DAYS,
      announce: (petition, type, outcome, status, round) =>
        announceOutcome({ deliveries, store, notifier, publicBaseUrl, clock, wakeDelivery: deliveryLoop.wake }, petition, type, outcome, status, round),
    };
    const announce = stepDeps.announce!;
    const reviewGate = createLocalReviewGate({
      store,
      clock,
      reviews: new DynamoReviewStore({ client: documents, tableName: config.HANBEON_TABLE_NAME }),
      audit,
      catalog,
      announce,
      ...(config.HANBEON_REVIEW_DEADLINE_SCALE !== undefined ? { deadlineScale: config.HANBEON_REVIEW_DEADLINE_SCALE } : {}),
      onEscalation: async (petitionId, escalation) => {
        await store.appendTimeline(petitionId, { at: clock().toISOString(), state: 'EscalateReview', kind: 'step-completed', detail: `review deadline passed; escalation ${escalation} sent to the handling agency` });
        const petition = await store.getPetition(petitionId);
        const type = petition && catalog.petitionTypes.get(petition.type);
        if (petition && type) await announce(petition, type, 'review_requested', 'AWAITING_REVIEW', escalation);
      },
    });
    const reviews = reviewGate.decisions;
    const runner = new LocalWorkflowRunner({
      definition: await loadPetitionDefinition(),
      tasks: { ...taskFunctions(stepDeps), RequestReview: (input: never) => reviewGate.requestReviewTask(input), EscalateReview: (input: never) => reviewGate.escalateReviewTask(input) },
      ...(config.HANBEON_RETRY_INTERVAL_MS !== undefined ? { retryIntervalMs: config.HANBEON_RETRY_INTERVAL_MS } : {}),
      logger,
    });
    // The runner first: it aborts the executions at once, so a review's wait ending with the gate
    // is never taken for the petition's failure (the wait resumes at the next start).
    closers.push(async () => {
      const stopping = runner.close();
      await reviewGate.close();
      await stopping;
    });

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
      objects,
      trust: pki,
      verifyToken: createTokenVerifier({ issuer, audience: config.HANBEON_OIDC_AUDIENCE, jwks: devIdp.jwks(), now: clock, residentNumberKey: secrets.rrnHashKey }),
      workflow: runner,
      audit,
      clock,
      logger,
      limits: { maxBodyBytes: config.HANBEON_MAX_BODY_BYTES, idempotencyTtlHours: config.HANBEON_IDEMPOTENCY_TTL_HOURS },
      agencyKeys,
      endpoints: new EndpointRegistry({ store: deliveries, policy: LOCAL_URL_POLICY, clock: deliveryClock }),
      deliveryLog: new DeliveryLog({ store: deliveries, clock: deliveryClock }),
      reviews,
    };

    const resumed = await runner.recover((cursor) => store.listActivePetitionIds({ limit: 100, ...(cursor ? { cursor } : {}) }));
    return { url, config, catalog, runner, idp: devIdp, agencies: simulated, store, objects, pki, deliveries, deliveryLoop, audit, auditLoop, resumed, close };
  } catch (error) {
    await close();
    throw error;
  }
}
