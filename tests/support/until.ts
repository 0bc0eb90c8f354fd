/** Polling for end-to-end tests: waits for something another process or server does in its own time. */

const POLL_INTERVAL_MS = 25;

/**
 * Calls `probe` (sync or async) until it answers something other than `undefined` and returns that;
 * rejects naming `what` and the time waited once `timeoutMs` passed.
 */
export const until = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
};
