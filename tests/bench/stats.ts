/** Small statistics for the benchmark: percentiles over recorded latencies. */
export const percentile = (sorted: number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
};

export interface LoadResult {
  label: string;
  completed: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `clients` concurrent loops of `operation` for `seconds` (after `warmupSeconds`), timing each. */
export async function closedLoop(label: string, options: { clients: number; seconds: number; warmupSeconds: number }, operation: (client: number, iteration: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const measureFrom = start + options.warmupSeconds * 1000;
  const stopAt = measureFrom + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async (_, client) => {
      for (let iteration = 0; performance.now() < stopAt; iteration++) {
        const began = performance.now();
        try {
          await operation(client, iteration);
          if (began >= measureFrom) latencies.push(performance.now() - began);
        } catch (error) {
          if (began >= measureFrom) errors++;
          if (errors <= 3) console.error(`${label}: ${(error as Error).message}`);
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { label, completed: latencies.length, errors, seconds: options.seconds, perSecond: latencies.length / options.seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
