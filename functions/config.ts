/**
 * The platform's configuration: one zod-validated object built once at start from the environment.
 * Invalid configuration stops start-up with every problem listed, never fails mid-request.
 * Every key, its default and its meaning are listed in docs/configuration.md.
 */
import { z } from 'zod';

const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not valid JSON (${(error as Error).message})` });
        return z.NEVER;
      }
    })
    .pipe(schema);

const agencyOverride = z.strictObject({
  baseUrl: z.url(),
  credential: z.string().min(1).optional(),
  credentialSecretArn: z.string().optional(),
  timeoutMs: z.number().int().positive().max(60_000).optional(),
  jwksUrl: z.url().optional(),
});
export type AgencyOverride = z.infer<typeof agencyOverride>;

const faultPlan = z.strictObject({
  latencyMs: z.number().int().nonnegative().optional(),
  failureRate: z.number().min(0).max(1).optional(),
  mode: z.enum(['none', 'http-500', 'http-503', 'timeout', 'refuse', 'malformed', 'bad-signature']).optional(),
  failFirst: z.number().int().nonnegative().optional(),
});

const schema = z.object({
  HANBEON_MODE: z.enum(['local', 'aws']).default('local'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  DATA_DIR: z.string().min(1).default('.data'),
  HANBEON_TEMPLATES_DIR: z.string().optional(),
  HANBEON_TABLE_NAME: z.string().min(3).default('hanbeon-petitions'),
  HANBEON_BUCKET_NAME: z.string().optional(),
  HANBEON_STATE_MACHINE_ARN: z.string().optional(),
  HANBEON_OIDC_ISSUER: z.url().optional(),
  HANBEON_OIDC_AUDIENCE: z.string().min(1).default('hanbeon'),
  HANBEON_OIDC_JWKS_URL: z.url().optional(),
  HANBEON_AGENCIES: json(z.record(z.string(), agencyOverride)).default({}),
  HANBEON_AGENCY_FAULTS: json(z.record(z.string(), faultPlan)).default({}),
  HANBEON_AGENCY_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).optional(),
  HANBEON_POPULATION_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  HANBEON_POPULATION_SEED: z.coerce.number().int().default(20261124),
  HANBEON_RETRY_INTERVAL_MS: z.coerce.number().int().nonnegative().optional(),
  HANBEON_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  HANBEON_PUBLIC_BASE_URL: z.url().optional(),
  HANBEON_KEY_PASSPHRASE: z.string().min(16, { error: 'expected a passphrase of at least 16 characters' }).optional(),
  HANBEON_RRN_HASH_KEY: z
    .base64({ error: 'expected base64' })
    .refine((text) => Buffer.from(text, 'base64').length >= 32, { error: 'expected at least 32 bytes of key (base64)' })
    .optional(),
  HANBEON_RRN_HASH_KEY_SECRET_ARN: z.string().optional(),
  HANBEON_KMS_KEYS: json(z.record(z.string(), z.string().min(1))).default({}),
  HANBEON_DELIVERY_QUEUE_URL: z.url().optional(),
  HANBEON_REVIEW_DEADLINE_SCALE: z.coerce.number().positive().max(1).optional(),
  HANBEON_FONTS_DIR: z.string().optional(),
  HANBEON_APPLICANT_SEAL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  HANBEON_IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
  HANBEON_AUDIT_CHECKPOINT_RECORDS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  HANBEON_AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  HANBEON_AUDIT_CHAIN_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
});

export type PlatformConfig = z.infer<typeof schema>;

/** Raised at start when the configuration is invalid; lists every offending key. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Builds the configuration from environment variables (or any record, in tests). */
export function loadConfig(env: Record<string, string | undefined> = process.env): PlatformConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const config = parsed.data;
  if (config.HANBEON_MODE === 'aws') {
    const missing = (['HANBEON_BUCKET_NAME', 'HANBEON_OIDC_ISSUER', 'HANBEON_PUBLIC_BASE_URL'] as const).filter((key) => !config[key]);
    if (!config.HANBEON_RRN_HASH_KEY && !config.HANBEON_RRN_HASH_KEY_SECRET_ARN) missing.push('HANBEON_RRN_HASH_KEY_SECRET_ARN' as never);
    if (missing.length > 0) throw new ConfigError(missing.map((key) => `${key}: required when HANBEON_MODE=aws`));
  }
  return config;
}
