/**
 * Builds the CDK app: one PlatformStack configured from context, checked by cdk-nag. Shared by
 * app.ts (the `cdk` CLI entry) and the tests, so both check exactly what is deployed.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defaultTemplatesDir } from '../../shared/catalog/load.ts';
import { PlatformStack, type PlatformStackProps } from './platform-stack.ts';

export const STACK_NAME = 'HanbeonPlatform';

/**
 * Context keys (cdk.json or `cdk synth -c key=value`) that configure the deployment.
 * Each is optional; PlatformStackProps documents the default.
 */
export const CONTEXT_KEYS = {
  oidcIssuer: 'hanbeon:oidcIssuer',
  oidcAudience: 'hanbeon:oidcAudience',
  /** Record<agencyId, AgencyEndpoint>, as an object (cdk.json) or a JSON string (-c). */
  agencies: 'hanbeon:agencies',
  publicBaseUrl: 'hanbeon:publicBaseUrl',
} as const;

const agenciesSchema = z.record(
  z.string().min(1),
  z.strictObject({
    baseUrl: z.url(),
    credentialSecretArn: z.string().regex(/^arn:[\w-]+:secretsmanager:/).optional(),
    timeoutMs: z.number().int().positive().max(60_000).optional(),
    jwksUrl: z.url().optional(),
  }),
);

/** Reads the deployment settings from context; invalid settings fail the synth, not a request. */
export function propsFromContext(app: App): PlatformStackProps {
  const read = (key: string): unknown => app.node.tryGetContext(key);
  const issuer = read(CONTEXT_KEYS.oidcIssuer);
  const audience = read(CONTEXT_KEYS.oidcAudience);
  const rawAgencies = read(CONTEXT_KEYS.agencies);
  const publicBaseUrl = read(CONTEXT_KEYS.publicBaseUrl);
  const agencies = rawAgencies === undefined ? undefined : agenciesSchema.safeParse(typeof rawAgencies === 'string' ? JSON.parse(rawAgencies) : rawAgencies);
  if (agencies !== undefined && !agencies.success) {
    throw new Error(`Context ${CONTEXT_KEYS.agencies} is invalid: ${z.prettifyError(agencies.error)}; expected Record<agencyId, { baseUrl, credentialSecretArn?, timeoutMs?, jwksUrl? }>`);
  }
  return {
    ...(issuer === undefined ? {} : { oidcIssuer: z.url().parse(issuer) }),
    ...(audience === undefined ? {} : { oidcAudience: z.string().min(1).parse(audience) }),
    ...(agencies === undefined ? {} : { agencies: agencies.data }),
    ...(publicBaseUrl === undefined ? {} : { publicBaseUrl: z.url({ protocol: /^https$/ }).parse(publicBaseUrl) }),
    sealingAgencies: catalogAgencyIds(),
  };
}

/** The agencies of the bundled catalog (templates/agencies/<id>.json): each gets a seal key. */
const catalogAgencyIds = (): string[] =>
  readdirSync(join(defaultTemplatesDir, 'agencies'))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.replace(/\.json$/, ''))
    .sort();

/** Registers cdk-nag's AWS Solutions pack: synth fails on any unacknowledged error. */
export function applyChecks(app: App): AwsSolutionsChecks {
  const checks = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(checks);
  return checks;
}

export interface BuildAppOptions {
  /**
   * Context for the app (the CLI passes cdk.json's context itself).
   * @default - none
   */
  readonly context?: Record<string, unknown>;
  /**
   * Where the cloud assembly is written.
   * @default - the CLI's outdir, or a temporary directory
   */
  readonly outdir?: string;
}

/** Creates the app with the HanbeonPlatform stack and the cdk-nag checks applied. */
export function buildApp(options: BuildAppOptions = {}): { app: App; stack: PlatformStack; checks: AwsSolutionsChecks } {
  const app = new App({
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  });
  // No env: the stack is environment-agnostic and synthesizes without an account or credentials.
  const stack = new PlatformStack(app, STACK_NAME, {
    description: 'hanbeon: civil petitions end to end (API, petition workflow, table, document bucket)',
    ...propsFromContext(app),
  });
  const checks = applyChecks(app);
  return { app, stack, checks };
}
