/**
 * What an agency may read and redo about its deliveries: the log of one delivery (every attempt of
 * every series), its deliveries in a time range, and replays. A replay starts a new series of attempts
 * under the SAME webhook id, so a receiver that deduplicates by id is not fooled into acting twice.
 */
import { DeliveryConflictError, DeliveryNotFoundError, EndpointNotActiveError, EndpointNotFoundError } from './errors.ts';
import type { Delivery, DeliveryAttempt, DeliveryStatus } from './model.ts';
import type { Clock, DeliveryStore, Page } from './ports.ts';
import { systemClock } from './ports.ts';

export interface DeliveryLogOptions {
  store: DeliveryStore;
  /** @default systemClock */
  clock?: Clock;
}

/** A time range [from, to) of delivery creation, ISO timestamps. */
export interface TimeRange {
  from: string;
  to: string;
}

const checkRange = (range: TimeRange): void => {
  if (Number.isNaN(Date.parse(range.from)) || Number.isNaN(Date.parse(range.to)) || range.from > range.to) {
    throw new RangeError(`time range is [${range.from}, ${range.to}); expected two ISO timestamps, from ≤ to`);
  }
};

/** Reads and replays an agency's deliveries. */
export class DeliveryLog {
  readonly #store: DeliveryStore;
  readonly #clock: Clock;

  constructor(options: DeliveryLogOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
  }

  /** One delivery and its attempts, oldest first. */
  async get(agency: string, webhookId: string): Promise<{ delivery: Delivery; attempts: DeliveryAttempt[] }> {
    const delivery = await this.#owned(agency, webhookId);
    return { delivery, attempts: await this.#store.listAttempts(webhookId) };
  }

  /** The agency's deliveries created in the range, oldest first. */
  async list(agency: string, range: TimeRange, page?: { limit?: number; cursor?: string }): Promise<Page<Delivery>> {
    checkRange(range);
    return this.#store.listDeliveries(agency, range, page);
  }

  /**
   * Sends a delivery again, from attempt 1 of a new series, due now. A delivery still pending is
   * already on its way and is returned as it is. The endpoint must exist and be active.
   */
  async replay(agency: string, webhookId: string): Promise<Delivery> {
    for (let attempt = 1; ; attempt++) {
      const delivery = await this.#owned(agency, webhookId);
      if (delivery.status === 'pending') return delivery;
      const endpoint = await this.#store.getEndpoint(delivery.endpointId);
      if (!endpoint) throw new EndpointNotFoundError(`webhook ${webhookId} was for endpoint ${delivery.endpointId}, which has been deleted; expected an existing endpoint`);
      if (endpoint.status !== 'active') throw new EndpointNotActiveError(`endpoint ${endpoint.id} is ${endpoint.status} (${endpoint.disabledReason ?? 'no reason recorded'}); expected active`);
      try {
        return await this.#store.restartDelivery(webhookId, delivery.version, this.#clock.now().toISOString());
      } catch (error) {
        if (!(error instanceof DeliveryConflictError) || attempt >= 3) throw error;
      }
    }
  }

  /**
   * Replays every delivery of the agency created in the range (optionally only those in `statuses`),
   * skipping those still pending and those whose endpoint is gone or disabled. Returns what it did.
   */
  async replayRange(agency: string, range: TimeRange, options: { statuses?: DeliveryStatus[] } = {}): Promise<{ replayed: string[]; skipped: { webhookId: string; reason: string }[] }> {
    checkRange(range);
    const replayed: string[] = [];
    const skipped: { webhookId: string; reason: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#store.listDeliveries(agency, range, { limit: 100, cursor });
      for (const delivery of page.items) {
        if (options.statuses && !options.statuses.includes(delivery.status)) continue;
        if (delivery.status === 'pending') {
          skipped.push({ webhookId: delivery.webhookId, reason: 'pending' });
          continue;
        }
        try {
          await this.replay(agency, delivery.webhookId);
          replayed.push(delivery.webhookId);
        } catch (error) {
          if (!(error instanceof EndpointNotFoundError || error instanceof EndpointNotActiveError)) throw error;
          skipped.push({ webhookId: delivery.webhookId, reason: error.code });
        }
      }
      cursor = page.cursor;
    } while (cursor);
    return { replayed, skipped };
  }

  async #owned(agency: string, webhookId: string): Promise<Delivery> {
    const delivery = await this.#store.getDelivery(webhookId);
    if (!delivery || delivery.agency !== agency) throw new DeliveryNotFoundError(`agency ${agency} has no delivery ${webhookId}`);
    return delivery;
  }
}
