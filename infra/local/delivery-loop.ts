/**
 * The embedded platform's webhook worker: the same DeliveryWorker that runs on AWS, fed from the
 * store. It runs when woken (an outcome was announced) and otherwise when the next attempt is due,
 * checking at least every `maxSleepMs` so a retry scheduled by another process is not missed.
 */
import type { DeliveryStore, DeliveryWorker } from '../../shared/delivery/index.ts';

export interface DeliveryLoopOptions {
  worker: DeliveryWorker;
  store: DeliveryStore;
  clock: () => Date;
  logger: { error(message: string, details: Record<string, unknown>): void };
  /** @default 1000 */
  maxSleepMs?: number;
}

export interface DeliveryLoop {
  /** Runs the worker soon (coalesced: many wakes while it runs give one more run). */
  wake(): void;
  /** Resolves when nothing is due and no run is in progress (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function startDeliveryLoop(options: DeliveryLoopOptions): DeliveryLoop {
  const maxSleepMs = options.maxSleepMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const schedule = (delayMs: number) => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(run, Math.max(0, Math.min(delayMs, maxSleepMs)));
  };

  async function cycle(): Promise<void> {
    try {
      do {
        again = false;
        await options.worker.runDue();
      } while (again && !closed);
      const next = await options.store.nextDueAt();
      schedule(next ? next.getTime() - options.clock().getTime() : maxSleepMs);
    } catch (error) {
      options.logger.error('webhook delivery run failed; retrying shortly', { error });
      schedule(maxSleepMs);
    }
  }

  function run(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = cycle().finally(() => (running = undefined));
  }

  schedule(0);
  return {
    wake: () => (running ? (again = true) : schedule(0)),
    async idle() {
      for (;;) {
        await running;
        const next = await options.store.nextDueAt();
        if (!running && (!next || next.getTime() > options.clock().getTime())) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}
