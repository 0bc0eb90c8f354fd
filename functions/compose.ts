/**
 * Composition root for AWS Lambda: builds the adapters once per cold start from the validated
 * configuration. Handlers never construct clients themselves (DESIGN §3).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DeliveryLog, DeliveryWorker, EndpointRegistry, HttpWebhookTransport, STRICT_URL_POLICY } from '../shared/delivery/index.ts';
import { SqsDeliveryTrigger } from '../shared/delivery/sqs-delivery-trigger.ts';
import { AuditChainer, pkiCheckpointSealer } from '../shared/audit/index.ts';
import { DynamoAgencyKeyStore } from '../shared/store/dynamo-agency-key-store.ts';
import { DynamoAuditStore } from '../shared/store/dynamo-audit-store.ts';
import { DynamoDeliveryStore } from '../shared/store/dynamo-delivery-store.ts';
import { announceOutcome, type CitizenNotifier } from '../shared/workflow/petition-events.ts';
import { SfnReviewDecisions, SfnTaskCallbacks } from '../shared/workflow/sfn-review-decisions.ts';
import { DynamoReviewStore } from '../shared/store/dynamo-review-store.ts';
import type { ReviewPorts } from './workflow/review-ports.ts';
import { defaultTemplatesDir, loadCatalog } from '../shared/catalog/load.ts';
import { HttpEvidenceSource } from '../shared/evidence/http-evidence-source.ts';
import { createTokenVerifier } from '../shared/identity/token-verifier.ts';
import { createDocumentClient, DynamoPetitionStore } from '../shared/store/index.ts';
import { S3ObjectStore } from '../shared/store/s3-object-store.ts';
import { SfnWorkflowStarter } from '../shared/workflow/sfn-workflow-starter.ts';
import { fontPathsIn } from '../shared/pdf/render/font-program.ts';
import { KmsSigner } from '../shared/seal/kms-signer.ts';
import { ManifestPki } from '../shared/seal/manifest-pki.ts';
import { SignerUnavailableError } from '../shared/seal/signer.ts';
import type { SealingStepDeps } from '../shared/workflow/sealing-steps.ts';
import type { ApiDeps } from './api/deps.ts';
import { agencyConnections } from './agency-connections.ts';
import { loadConfig } from './config.ts';
import { secretReader } from './secrets.ts';

/**
 * Builds once per container and shares the result. A failed build is forgotten, so a passing
 * outage at cold start (an agency's keys briefly unreachable) fails that invocation, not every
 * later one in the container.
 */
export const once = <T>(build: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () =>
    (value ??= build().catch((error: unknown) => {
      value = undefined;
      throw error;
    }));
};

const base = once(async () => {
  const config = loadConfig();
  const logger = new Logger({ serviceName: 'hanbeon' });
  const catalog = await loadCatalog(config.HANBEON_TEMPLATES_DIR ?? defaultTemplatesDir);
  const store = new DynamoPetitionStore({ client: createDocumentClient(new DynamoDBClient({})), tableName: config.HANBEON_TABLE_NAME });
  const objects = new S3ObjectStore({ client: new S3Client({}), bucket: config.HANBEON_BUCKET_NAME! });
  // Keys never leave KMS: each PKI key name maps to a KMS key the stack created (HANBEON_KMS_KEYS).
  const kms = new KMSClient({});
  const pki = new ManifestPki({
    objects,
    keys: async (name) => {
      const keyId = config.HANBEON_KMS_KEYS[name];
      if (!keyId) throw new SignerUnavailableError(`no KMS key is configured for '${name}' (HANBEON_KMS_KEYS has ${Object.keys(config.HANBEON_KMS_KEYS).join(', ') || 'none'})`);
      return new KmsSigner({ client: kms, keyId });
    },
  });
  const documents = createDocumentClient(new DynamoDBClient({}));
  const deliveries = new DynamoDeliveryStore({ client: documents, tableName: config.HANBEON_TABLE_NAME });
  const audit = new DynamoAuditStore({ client: documents, tableName: config.HANBEON_TABLE_NAME });
  return { config, logger, catalog, store, objects, pki, deliveries, audit };
});

const deliveryClock = { now: () => new Date() };

/** The webhook worker (functions/delivery): strict URL policy, https only, no private addresses. */
export const awsDeliveryWorker = once(async () => {
  const { deliveries, audit } = await base();
  const worker = new DeliveryWorker({ store: deliveries, transport: new HttpWebhookTransport({ policy: STRICT_URL_POLICY }), clock: deliveryClock, audit });
  return { runDue: () => worker.runDue(), nextDueAt: () => deliveries.nextDueAt(), now: () => new Date() };
});

/** The audit chainer (functions/audit): the one function that links the trail and seals checkpoints with the platform seal. */
export const awsAuditChainer = once(async () => {
  const { config, pki, audit } = await base();
  return new AuditChainer({
    store: audit,
    seal: pkiCheckpointSealer(pki),
    clock: () => new Date(),
    checkpointEveryRecords: config.HANBEON_AUDIT_CHECKPOINT_RECORDS,
    checkpointIntervalMs: config.HANBEON_AUDIT_CHECKPOINT_SECONDS * 1000,
  });
});

/** The resident-number hash key: from configuration, or from Secrets Manager (base64). */
const residentNumberKey = async (config: ReturnType<typeof loadConfig>): Promise<Uint8Array> => {
  const encoded = config.HANBEON_RRN_HASH_KEY ?? (await secretReader(new SecretsManagerClient({}))(config.HANBEON_RRN_HASH_KEY_SECRET_ARN!));
  return Buffer.from(encoded.trim(), 'base64');
};

export const awsApiDeps = once(async (): Promise<ApiDeps> => {
  const { config, logger, catalog, store, objects, pki, deliveries, audit } = await base();
  const issuer = config.HANBEON_OIDC_ISSUER!;
  const documents = createDocumentClient(new DynamoDBClient({}));
  return {
    mode: 'aws',
    catalog,
    store,
    objects,
    trust: pki,
    verifyToken: createTokenVerifier({
      issuer,
      audience: config.HANBEON_OIDC_AUDIENCE,
      jwks: new URL(config.HANBEON_OIDC_JWKS_URL ?? `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`),
      residentNumberKey: await residentNumberKey(config),
    }),
    workflow: new SfnWorkflowStarter({ client: new SFNClient({}), stateMachineArn: config.HANBEON_STATE_MACHINE_ARN ?? '' }),
    audit,
    clock: () => new Date(),
    logger,
    limits: { maxBodyBytes: config.HANBEON_MAX_BODY_BYTES, idempotencyTtlHours: config.HANBEON_IDEMPOTENCY_TTL_HOURS },
    agencyKeys: new DynamoAgencyKeyStore({ client: documents, tableName: config.HANBEON_TABLE_NAME }),
    endpoints: new EndpointRegistry({ store: deliveries, policy: STRICT_URL_POLICY, clock: deliveryClock }),
    deliveryLog: new DeliveryLog({ store: deliveries, clock: deliveryClock }),
    reviews: new SfnReviewDecisions({ reviews: new DynamoReviewStore({ client: documents, tableName: config.HANBEON_TABLE_NAME }), callbacks: new SfnTaskCallbacks(new SFNClient({})) }),
  };
});

export const awsStepDeps = once(async (): Promise<SealingStepDeps & ReviewPorts> => {
  const { config, catalog, store, objects, pki, deliveries, audit } = await base();
  const trigger = config.HANBEON_DELIVERY_QUEUE_URL ? new SqsDeliveryTrigger({ client: new SQSClient({}), queueUrl: config.HANBEON_DELIVERY_QUEUE_URL }) : undefined;
  const publicBaseUrl = config.HANBEON_PUBLIC_BASE_URL!.replace(/\/+$/, '');
  const connections = await agencyConnections(config, catalog, { readSecret: secretReader(new SecretsManagerClient({})) });
  const announce: NonNullable<SealingStepDeps['announce']> = (petition, type, outcome, status, round) =>
    announceOutcome(
      { deliveries, store, notifier: logNotifier, publicBaseUrl, clock: () => new Date(), ...(trigger ? { wakeDelivery: () => trigger.wake(`petition ${petition.id} ${outcome}`) } : {}) },
      petition,
      type,
      outcome,
      status,
      round,
    );
  return {
    store,
    catalog,
    objects,
    evidence: new HttpEvidenceSource({ agencies: connections }),
    clock: () => new Date(),
    audit,
    pki,
    publicBaseUrl,
    applicantSealDays: config.HANBEON_APPLICANT_SEAL_DAYS,
    // Bundles carry no node_modules: the stack copies the two faces next to the code.
    ...(config.HANBEON_FONTS_DIR ? { fonts: fontPathsIn(config.HANBEON_FONTS_DIR) } : {}),
    announce,
    reviews: new DynamoReviewStore({ client: createDocumentClient(new DynamoDBClient({})), tableName: config.HANBEON_TABLE_NAME }),
    callbacks: new SfnTaskCallbacks(new SFNClient({})),
    // An escalation asks the handling agency again: the same event type, a new event (round n).
    onEscalation: async (petitionId, escalation) => {
      const petition = await store.getPetition(petitionId);
      const type = petition && catalog.petitionTypes.get(petition.type);
      if (petition && type) await announce(petition, type, 'review_requested', 'AWAITING_REVIEW', escalation);
    },
  };
});

/**
 * Citizen notifications on AWS: a structured log line per outcome (ids and statuses only) until a
 * messaging gateway is configured; the port is where an SMS/e-mail/app-push adapter plugs in.
 */
const logNotifier: CitizenNotifier = {
  notify: async (notification) => {
    (await base()).logger.info('citizen notification', { ...notification, subject: undefined });
  },
};
