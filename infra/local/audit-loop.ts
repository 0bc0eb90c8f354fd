/**
 * The embedded platform's audit chainer: the same AuditChainer the scheduled Lambda runs on AWS,
 * run every `intervalMs` by one loop in this process — the chain's single writer locally.
 */
import type { AuditChainer, ChainRunSummary } from '../../shared/audit/index.ts';

export interface AuditLoopOptions {
  chainer: AuditChainer;
  intervalMs: number;
  logger: { error(message: string, details: Record<string, unknown>): void };
}

export interface AuditLoop {
  /** Runs the chainer now (after a run in progress) and resolves with what that run did: everything recorded before the call is then chained. */
  flush(): Promise<ChainRunSummary>;
  close(): Promise<void>;
}

export function startAuditLoop(options: AuditLoopOptions): AuditLoop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ChainRunSummary | undefined> = Promise.resolve(undefined);
  let closed = false;

  const runOnce = (): Promise<ChainRunSummary | undefined> => {
    // Runs never overlap: each starts after the one before has finished.
    running = running.then(
      () => options.chainer.run(),
      () => options.chainer.run(),
    );
    return running;
  };

  const tick = () => {
    if (closed) return;
    runOnce()
      .catch((error: unknown) => options.logger.error('audit chaining failed; retrying at the next interval', { error }))
      .finally(() => {
        if (!closed) timer = setTimeout(tick, options.intervalMs);
      });
  };
  timer = setTimeout(tick, 0);

  return {
    async flush() {
      const summary = await runOnce();
      return summary!;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
