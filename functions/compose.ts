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
  return { config, logger, catalog, store, objects, pki };
});

/** The resident-number hash key: from configuration, or from Secrets Manager (base64). */
const residentNumberKey = async (config: ReturnType<typeof loadConfig>): Promise<Uint8Array> => {
  const encoded = config.HANBEON_RRN_HASH_KEY ?? (await secretReader(new SecretsManagerClient({}))(config.HANBEON_RRN_HASH_KEY_SECRET_ARN!));
  return Buffer.from(encoded.trim(), 'base64');
};

export const awsApiDeps = once(async (): Promise<ApiDeps> => {
  const { config, logger, catalog, store, objects, pki } = await base();
  const issuer = config.HANBEON_OIDC_ISSUER!;
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
    clock: () => new Date(),
    logger,
    limits: { maxBodyBytes: config.HANBEON_MAX_BODY_BYTES, idempotencyTtlHours: config.HANBEON_IDEMPOTENCY_TTL_HOURS },
  };
});

export const awsStepDeps = once(async (): Promise<SealingStepDeps> => {
  const { config, catalog, store, objects, pki } = await base();
  const connections = await agencyConnections(config, catalog, { readSecret: secretReader(new SecretsManagerClient({})) });
  return {
    store,
    catalog,
    objects,
    evidence: new HttpEvidenceSource({ agencies: connections }),
    clock: () => new Date(),
    pki,
    publicBaseUrl: config.HANBEON_PUBLIC_BASE_URL!.replace(/\/+$/, ''),
    applicantSealDays: config.HANBEON_APPLICANT_SEAL_DAYS,
    // Bundles carry no node_modules: the stack copies the two faces next to the code.
    ...(config.HANBEON_FONTS_DIR ? { fonts: fontPathsIn(config.HANBEON_FONTS_DIR) } : {}),
  };
});
