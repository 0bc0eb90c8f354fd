/**
 * The delivery worker: fans outbox events out to the endpoints that subscribed, then makes every due
 * attempt — sign, POST, record — and schedules the next one, disables endpoints that answer 410, and
 * dead-letters what the schedule gave up on.
 *
 * It never waits by itself: `runDue()` does what is due at `clock.now()` and returns, and
 * `store.nextDueAt()` says when to call it again. The composition root owns the loop (a timer in
 * local mode, a scheduled Lambda in AWS); a test owns a fake clock and walks through 72 hours at once.
 */
import { auditEvents } from '../audit/events.ts';
import type { AuditRecorder } from '../audit/ports.ts';
import { DeliveryConflictError } from './errors.ts';
import { outboxEvent, webhookBody, type DeadLetterEventData, type OutboxEvent } from './events.ts';
import { DEFAULT_TIMEOUT_MS } from './http-transport.ts';
import type { ClaimedDelivery, Delivery, DeliveryAttempt, DeliverySettlement, Endpoint } from './model.ts';
import type { Clock, DeliveryStore, TransportResult, WebhookTransport } from './ports.ts';
import { systemClock } from './ports.ts';
import { nextAttemptAt, parseRetryAfter } from './retry-schedule.ts';
import { signWebhook, signingSecretsAt, webhookIdFor } from './webhook-signing.ts';

export interface DeliveryWorkerOptions {
  store: DeliveryStore;
  transport: WebhookTransport;
  /** @default systemClock */
  clock?: Clock;
  /** Budget of one attempt (connect, answer, body). @default 15 000 ms */
  timeoutMs?: number;
  /** How long a claim keeps other workers off a delivery; must outlast an attempt. @default timeoutMs + 45 s */
  leaseMs?: number;
  /** Deliveries claimed per query. @default 25 */
  batchSize?: number;
  /** Attempts in flight at once. @default 8 */
  concurrency?: number;
  /** Jitter source in [0, 1) for a delivery's next attempt (0.5 = no jitter). @default Math.random */
  random?: (webhookId: string, failedAttempt: number) => number;
  /** The audit trail: deliveries and dead letters are recorded before they are settled (docs/adr/0008). Both composition roots set it. */
  audit?: AuditRecorder;
}

/** What one `runDue()` did. */
export interface RunSummary {
  dispatchedEvents: number;
  createdDeliveries: number;
  attempts: number;
  delivered: number;
  retrying: number;
  deadLettered: number;
  cancelled: number;
  /** Attempts whose outcome could not be recorded because another worker took the delivery over. */
  leaseLost: number;
}

const emptySummary = (): RunSummary => ({ dispatchedEvents: 0, createdDeliveries: 0, attempts: 0, delivered: 0, retrying: 0, deadLettered: 0, cancelled: 0, leaseLost: 0 });

const OUTBOX_PAGE = 100;

/** The id of the dead-letter event for a delivery's series: one per series, however often it is emitted. */
export const deadLetterEventId = (delivery: Pick<Delivery, 'webhookId' | 'series'>) => `dead-letter:${delivery.webhookId}:${delivery.series}`;

const subscribes = (endpoint: Endpoint, event: OutboxEvent): boolean => {
  if (endpoint.status !== 'active' || !endpoint.eventTypes.includes(event.payload.type)) return false;
  // A dead letter is news for the agency's *other* endpoints: the one that failed would not hear it.
  return event.payload.type !== 'delivery.dead_lettered' || event.payload.data.endpointId !== endpoint.id;
};

const isSuccess = (result: TransportResult) => result.kind === 'response' && result.status >= 200 && result.status < 300;

/** Runs limited-concurrency work over items; rejects with the first error after all have finished. */
const inPool = async <T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const errors: unknown[] = [];
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (errors.length > 0) throw errors[0];
};

/** Fans out the outbox and makes due webhook attempts, one `runDue()` at a time. */
export class DeliveryWorker {
  readonly #store: DeliveryStore;
  readonly #transport: WebhookTransport;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #leaseMs: number;
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #random: (webhookId: string, failedAttempt: number) => number;
  readonly #audit: AuditRecorder | undefined;

  constructor(options: DeliveryWorkerOptions) {
    this.#store = options.store;
    this.#transport = options.transport;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#leaseMs = options.leaseMs ?? this.#timeoutMs + 45_000;
    if (!(this.#leaseMs > this.#timeoutMs)) throw new RangeError(`leaseMs is ${this.#leaseMs}; expected more than timeoutMs (${this.#timeoutMs}) so a lease outlasts its attempt`);
    this.#batchSize = options.batchSize ?? 25;
    this.#concurrency = options.concurrency ?? 8;
    this.#random = options.random ?? (() => Math.random());
    this.#audit = options.audit;
  }

  /** Dispatches pending outbox events and makes every attempt due now; returns when nothing is due. */
  async runDue(): Promise<RunSummary> {
    const summary = emptySummary();
    for (;;) {
      const dispatched = await this.#dispatchOutbox(summary);
      const claims = await this.#store.claimDue(this.#clock.now(), this.#batchSize, this.#leaseMs);
      if (claims.length === 0 && dispatched === 0) return summary;
      // One endpoint read per endpoint and batch; a 410 seen in the batch updates the entry, so later attempts stop.
      const endpoints = new Map<string, Promise<Endpoint | undefined>>();
      await inPool(claims, this.#concurrency, (claim) => this.#attempt(claim, endpoints, summary));
    }
  }

  /** Creates one delivery per (event, subscribed endpoint); repeating after a crash finds the same webhook ids. */
  async #dispatchOutbox(summary: RunSummary): Promise<number> {
    let dispatched = 0;
    for (;;) {
      const events = await this.#store.listPendingEvents(OUTBOX_PAGE);
      if (events.length === 0) return dispatched;
      // One endpoint listing per agency and page, not per event.
      const endpointsOf = new Map<string, Promise<Endpoint[]>>();
      await inPool(events, this.#concurrency, async (event) => {
        if (!endpointsOf.has(event.agency)) endpointsOf.set(event.agency, this.#store.listEndpoints(event.agency));
        const endpoints = (await endpointsOf.get(event.agency)!).filter((endpoint) => subscribes(endpoint, event));
        const now = this.#clock.now().toISOString();
        for (const endpoint of endpoints) {
          const created = await this.#store.createDelivery({
            webhookId: webhookIdFor(event.id, endpoint.id),
            eventId: event.id,
            eventType: event.payload.type,
            agency: event.agency,
            endpointId: endpoint.id,
            body: webhookBody(event.payload),
            status: 'pending',
            series: 1,
            attempts: 0,
            nextAttemptAt: now,
            createdAt: now,
            updatedAt: now,
            version: 1,
          });
          if (created) summary.createdDeliveries++;
        }
        // Only once every delivery exists: a crash before this line makes the next run fan out again, harmlessly.
        await this.#store.markEventDispatched(event.id, now);
        summary.dispatchedEvents++;
        dispatched++;
      });
    }
  }

  async #attempt(claim: ClaimedDelivery, endpoints: Map<string, Promise<Endpoint | undefined>>, summary: RunSummary): Promise<void> {
    const { delivery } = claim;
    if (!endpoints.has(delivery.endpointId)) endpoints.set(delivery.endpointId, this.#store.getEndpoint(delivery.endpointId));
    const endpoint = await endpoints.get(delivery.endpointId)!;
    // Deleted or disabled (e.g. after a 410) since this delivery was scheduled: it stops here, unsent.
    if (!endpoint || endpoint.status !== 'active') {
      const reason = endpoint ? 'endpoint-disabled' : 'endpoint-deleted';
      await this.#settle(claim, { status: 'cancelled', reason }, undefined, summary);
      summary.cancelled++;
      return;
    }

    const startedAt = this.#clock.now();
    const headers = signWebhook(delivery.webhookId, startedAt, delivery.body, signingSecretsAt(endpoint.secrets, startedAt));
    const result = await this.#transport.send({ url: endpoint.url, headers, body: delivery.body, timeoutMs: this.#timeoutMs });
    summary.attempts++;
    const endedAt = this.#clock.now();
    const attempt: DeliveryAttempt = {
      webhookId: delivery.webhookId,
      series: delivery.series,
      attempt: delivery.attempts + 1,
      at: startedAt.toISOString(),
      latencyMs: result.latencyMs,
      ...(result.kind === 'response' ? { statusCode: result.status } : { error: `${result.reason}: ${result.message}` }),
    };

    if (isSuccess(result)) {
      // Recorded before settling, like the dead-letter event below: a crash in between repeats the attempt, not the record.
      await this.#audit?.record(auditEvents.delivery(delivery, 'delivered', attempt.attempt, endedAt));
      await this.#settle(claim, { status: 'delivered' }, attempt, summary);
      summary.delivered++;
      return;
    }
    if (result.kind === 'response' && result.status === 410) {
      // 410 Gone: the agency took the receiver down for good. Disable first, so no other delivery is sent meanwhile.
      endpoints.set(endpoint.id, Promise.resolve({ ...endpoint, status: 'disabled' }));
      await this.#store.disableEndpoint(endpoint.id, `answered 410 Gone at ${endedAt.toISOString()} (webhook ${delivery.webhookId})`, endedAt.toISOString());
      await this.#settle(claim, { status: 'cancelled', reason: 'endpoint-disabled' }, attempt, summary);
      summary.cancelled++;
      return;
    }

    const retryAfterMs = result.kind === 'response' ? parseRetryAfter(result.retryAfter, endedAt) : undefined;
    const next = nextAttemptAt(attempt.attempt, endedAt, { random: this.#random(delivery.webhookId, attempt.attempt), retryAfterMs });
    if (next) {
      await this.#settle(claim, { status: 'pending', nextAttemptAt: next.toISOString() }, { ...attempt, nextAttemptAt: next.toISOString() }, summary);
      summary.retrying++;
      return;
    }
    // The dead-letter event goes into the outbox before the delivery is marked dead: if we crash in
    // between, the attempt is made once more and the event (same id) is not duplicated.
    await this.#audit?.record(auditEvents.delivery(delivery, 'dead-lettered', attempt.attempt, endedAt));
    if (delivery.eventType !== 'delivery.dead_lettered') await this.#store.enqueueEvent(this.#deadLetterEvent(delivery, attempt, endedAt));
    await this.#settle(claim, { status: 'dead' }, attempt, summary);
    summary.deadLettered++;
  }

  #deadLetterEvent(delivery: Delivery, last: DeliveryAttempt, at: Date): OutboxEvent {
    const data: DeadLetterEventData = {
      agency: delivery.agency,
      webhookId: delivery.webhookId,
      endpointId: delivery.endpointId,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      attempts: last.attempt,
      ...(last.statusCode === undefined ? {} : { lastStatusCode: last.statusCode }),
      ...(last.error === undefined ? {} : { lastError: last.error }),
    };
    return outboxEvent(deadLetterEventId(delivery), { type: 'delivery.dead_lettered', timestamp: at.toISOString(), data });
  }

  async #settle(claim: ClaimedDelivery, settlement: DeliverySettlement, attempt: DeliveryAttempt | undefined, summary: RunSummary): Promise<void> {
    try {
      await this.#store.settle(claim, settlement, attempt, this.#clock.now().toISOString());
    } catch (error) {
      // The lease ran out and another worker owns the delivery now: its outcome will be recorded by it.
      if (!(error instanceof DeliveryConflictError)) throw error;
      summary.leaseLost++;
    }
  }
}
