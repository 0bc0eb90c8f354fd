/**
 * What an agency does with its webhook endpoints: register, list, delete, rotate the secret.
 *
 * Secrets are shown once (in the answer to register and rotate) and kept so the worker can sign.
 * They are stored as they are: in AWS they should be envelope-encrypted with a KMS key before they
 * reach the table (and decrypted by the worker only); locally they live in the data directory. They are
 * never logged and never part of a listing.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DeliveryConflictError, EndpointNotFoundError } from './errors.ts';
import { eventTypeSchema, type EventType } from './events.ts';
import type { Endpoint, EndpointSecret, EndpointView } from './model.ts';
import type { Clock, DeliveryStore } from './ports.ts';
import { systemClock } from './ports.ts';
import { checkEndpointUrl, type UrlPolicy } from './url-policy.ts';
import { generateSigningSecret } from './webhook-signing.ts';

/** How long a rotated-out secret keeps signing, so receivers can switch without losing a message. */
export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

export const endpointRegistrationSchema = z.strictObject({
  url: z.string().min(1),
  eventTypes: z.array(eventTypeSchema).min(1).refine((types) => new Set(types).size === types.length, 'event types must not repeat'),
  description: z.string().max(200).optional(),
});
export type EndpointRegistration = z.infer<typeof endpointRegistrationSchema>;

export interface EndpointRegistryOptions {
  store: DeliveryStore;
  policy: UrlPolicy;
  /** @default systemClock */
  clock?: Clock;
}

/** Drops the secrets (and storage bookkeeping) from an endpoint before it is shown. */
export const endpointView = (endpoint: Endpoint): EndpointView => {
  const { secrets, version: _version, ...view } = endpoint;
  const rotationEnds = secrets.map((s) => s.expiresAt).filter((at): at is string => at !== undefined).sort().at(-1);
  return rotationEnds ? { ...view, secretRotationEndsAt: rotationEnds } : view;
};

const newEndpointId = () => `ep_${randomBytes(12).toString('base64url')}`;

/** Registers, lists, deletes and rotates an agency's webhook endpoints. */
export class EndpointRegistry {
  readonly #store: DeliveryStore;
  readonly #policy: UrlPolicy;
  readonly #clock: Clock;

  constructor(options: EndpointRegistryOptions) {
    this.#store = options.store;
    this.#policy = options.policy;
    this.#clock = options.clock ?? systemClock;
  }

  /** Registers an endpoint after checking its URL; the answer holds the signing secret, shown this once. */
  async register(agency: string, registration: EndpointRegistration): Promise<{ endpoint: EndpointView; secret: string }> {
    const input = endpointRegistrationSchema.parse(registration);
    const url = checkEndpointUrl(input.url, this.#policy);
    const now = this.#clock.now().toISOString();
    const secret = generateSigningSecret();
    const endpoint: Endpoint = {
      id: newEndpointId(),
      agency,
      url: url.href,
      eventTypes: input.eventTypes as EventType[],
      ...(input.description === undefined ? {} : { description: input.description }),
      status: 'active',
      secrets: [{ secret, createdAt: now }],
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await this.#store.createEndpoint(endpoint);
    return { endpoint: endpointView(endpoint), secret };
  }

  /** The agency's endpoints, without secrets. */
  async list(agency: string): Promise<EndpointView[]> {
    return (await this.#store.listEndpoints(agency)).map(endpointView);
  }

  /** Deletes one of the agency's endpoints; its pending deliveries are cancelled when they come due. */
  async delete(agency: string, endpointId: string): Promise<void> {
    await this.#owned(agency, endpointId);
    await this.#store.deleteEndpoint(endpointId);
  }

  /**
   * Issues a new secret (shown once). The previous ones keep signing for ROTATION_GRACE_MS, so every
   * webhook meanwhile carries a signature for each; secrets already past their grace are dropped.
   */
  async rotateSecret(agency: string, endpointId: string): Promise<{ endpoint: EndpointView; secret: string; previousExpiresAt: string }> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const endpoint = await this.#owned(agency, endpointId);
      const now = this.#clock.now();
      const previousExpiresAt = new Date(now.getTime() + ROTATION_GRACE_MS).toISOString();
      const secret = generateSigningSecret();
      const kept: EndpointSecret[] = endpoint.secrets
        .filter((s) => s.expiresAt === undefined || Date.parse(s.expiresAt) > now.getTime())
        .map((s) => ({ ...s, expiresAt: s.expiresAt !== undefined && s.expiresAt < previousExpiresAt ? s.expiresAt : previousExpiresAt }));
      try {
        const updated = await this.#store.replaceSecrets(endpointId, [{ secret, createdAt: now.toISOString() }, ...kept], endpoint.version, now.toISOString());
        return { endpoint: endpointView(updated), secret, previousExpiresAt };
      } catch (error) {
        // Another rotation won the race: read again and rotate on top of it.
        if (!(error instanceof DeliveryConflictError) || attempt === 3) throw error;
      }
    }
    throw new Error('unreachable');
  }

  async #owned(agency: string, endpointId: string): Promise<Endpoint> {
    const endpoint = await this.#store.getEndpoint(endpointId);
    // Another agency's endpoint is reported as missing: ids are not a way to learn about other agencies.
    if (!endpoint || endpoint.agency !== agency) throw new EndpointNotFoundError(`agency ${agency} has no webhook endpoint ${endpointId}`);
    return endpoint;
  }
}
