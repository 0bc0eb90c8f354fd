/** Webhook endpoints, deliveries and their attempts as the delivery domain sees them (no storage types). */
import type { EventType } from './events.ts';

export type EndpointStatus = 'active' | 'disabled';

/** One signing secret. During a rotation the old one carries `expiresAt` and both sign. */
export interface EndpointSecret {
  /** `whsec_` + base64 of random bytes. Shown to the agency once, when created. */
  secret: string;
  createdAt: string;
  expiresAt?: string;
}

/** An agency's webhook endpoint, with its secrets (never handed out; see EndpointView). */
export interface Endpoint {
  id: string;
  agency: string;
  url: string;
  eventTypes: EventType[];
  description?: string;
  status: EndpointStatus;
  disabledAt?: string;
  disabledReason?: string;
  /** Newest first. */
  secrets: EndpointSecret[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** What an agency sees when it lists its endpoints: everything but the secrets. */
export type EndpointView = Omit<Endpoint, 'secrets' | 'version'> & { secretRotationEndsAt?: string };

/**
 * - `pending`: an attempt is due at `nextAttemptAt` (or one is in flight under a lease).
 * - `delivered`: the endpoint answered 2xx.
 * - `dead`: the retry schedule was exhausted (dead letter).
 * - `cancelled`: the endpoint was disabled (e.g. 410 Gone) or deleted before the message got through.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'cancelled';

/** One message to one endpoint: the same `webhookId` and body on every attempt and every replay. */
export interface Delivery {
  webhookId: string;
  eventId: string;
  eventType: EventType;
  agency: string;
  endpointId: string;
  body: string;
  status: DeliveryStatus;
  /** 1 for the first series of attempts, +1 for each replay. */
  series: number;
  /** Attempts made in the current series. */
  attempts: number;
  nextAttemptAt?: string;
  lastAttemptAt?: string;
  lastStatusCode?: number;
  lastError?: string;
  deliveredAt?: string;
  deadAt?: string;
  cancelledReason?: 'endpoint-disabled' | 'endpoint-deleted';
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** One line of the delivery log. Exactly one of `statusCode` and `error` is set. */
export interface DeliveryAttempt {
  webhookId: string;
  series: number;
  attempt: number;
  at: string;
  statusCode?: number;
  error?: string;
  latencyMs: number;
  /** When the next attempt is due; absent when this attempt ended the series. */
  nextAttemptAt?: string;
}

/** A delivery claimed for one attempt: only the holder of `leaseToken` may record its outcome. */
export interface ClaimedDelivery {
  delivery: Delivery;
  leaseToken: string;
  leaseUntil: string;
}

/** How a claimed attempt ended, as stored on the delivery. */
export type DeliverySettlement =
  | { status: 'pending'; nextAttemptAt: string }
  | { status: 'delivered' }
  | { status: 'dead' }
  | { status: 'cancelled'; reason: NonNullable<Delivery['cancelledReason']> };
