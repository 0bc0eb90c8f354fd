/** Ports of webhook delivery: where deliveries are kept, how a webhook travels, what time it is. */
import type { OutboxEvent } from './events.ts';
import type { ClaimedDelivery, Delivery, DeliveryAttempt, DeliverySettlement, Endpoint, EndpointSecret } from './model.ts';
import type { Page } from '../store/ports.ts';

/** The time source. Everything that schedules or stamps reads it, so tests can move time by days in milliseconds. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A page of a listing with its opaque cursor: the store's one shape for every listing. */
export type { Page };

/**
 * Persistence of endpoints, the outbox and deliveries. One adapter: the single DynamoDB table
 * (shared/store/dynamo-delivery-store.ts, dynalite locally). Single-item conditional writes only.
 */
export interface DeliveryStore {
  /** Creates the endpoint; throws if the id is taken. */
  createEndpoint(endpoint: Endpoint): Promise<void>;
  getEndpoint(id: string): Promise<Endpoint | undefined>;
  /** An agency's endpoints, oldest first, with their secrets (the caller strips them before showing). */
  listEndpoints(agency: string): Promise<Endpoint[]>;
  /** Replaces the secrets if the endpoint is still at `expectedVersion`; throws DeliveryConflictError otherwise. */
  replaceSecrets(id: string, secrets: EndpointSecret[], expectedVersion: number, at: string): Promise<Endpoint>;
  /** Marks the endpoint disabled; no-op when it is already disabled or gone. */
  disableEndpoint(id: string, reason: string, at: string): Promise<void>;
  /** Deletes the endpoint; false when there was none. */
  deleteEndpoint(id: string): Promise<boolean>;

  /** Adds an event to the outbox; the first event with an id wins, a repeat returns `false`. */
  enqueueEvent(event: OutboxEvent): Promise<boolean>;
  /** Outbox events not yet fanned out to deliveries, oldest first. */
  listPendingEvents(limit: number): Promise<OutboxEvent[]>;
  /** Takes the event off the pending list (after its deliveries exist). */
  markEventDispatched(eventId: string, at: string): Promise<void>;

  /** Creates the delivery; a delivery with the same webhook id already there wins and `false` is returned. */
  createDelivery(delivery: Delivery): Promise<boolean>;
  getDelivery(webhookId: string): Promise<Delivery | undefined>;
  /**
   * Claims up to `limit` pending deliveries due at `now`, each under a lease of `leaseMs`: a claimed
   * delivery is not due again before the lease ends, so concurrent workers never send the same attempt
   * (and a worker that dies mid-attempt only delays it by the lease).
   */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /**
   * Records how a claimed attempt ended: the attempt (if one was made) joins the delivery log, and the
   * delivery takes the settlement. Throws DeliveryConflictError if the lease was lost meanwhile.
   */
  settle(claim: ClaimedDelivery, settlement: DeliverySettlement, attempt: DeliveryAttempt | undefined, at: string): Promise<Delivery>;
  /** Starts a new series of attempts (replay), due at `at`, if the delivery is still at `expectedVersion`. */
  restartDelivery(webhookId: string, expectedVersion: number, at: string): Promise<Delivery>;
  /** The earliest time something is due (a pending delivery's next attempt or lease end, a pending outbox event's time), or undefined. */
  nextDueAt(): Promise<Date | undefined>;
  /** An agency's deliveries created in [from, to), oldest first. */
  listDeliveries(agency: string, range: { from: string; to: string }, page?: { limit?: number; cursor?: string }): Promise<Page<Delivery>>;
  /** The delivery log: every attempt of every series, oldest first. */
  listAttempts(webhookId: string): Promise<DeliveryAttempt[]>;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/**
 * What came of one POST. Anything the endpoint answered is a `response` (whatever the status); a
 * `failure` means no answer: timeout, connection trouble, or an address the URL policy refuses.
 */
export type TransportResult =
  | { kind: 'response'; status: number; retryAfter?: string; latencyMs: number }
  | { kind: 'failure'; reason: 'timeout' | 'connection' | 'address-refused' | 'url-refused'; message: string; latencyMs: number };

/** Sends one webhook. Must not follow redirects and must not throw for network trouble (return a failure). */
export interface WebhookTransport {
  send(request: WebhookRequest): Promise<TransportResult>;
}
