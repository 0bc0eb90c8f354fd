/** The AWS composition root's cold-start cache. */
import { describe, expect, it } from 'vitest';
import { once } from '../../functions/compose.ts';

describe('once', () => {
  it('builds once and shares the result between concurrent callers', async () => {
    let builds = 0;
    const deps = once(async () => ++builds);
    expect(await Promise.all([deps(), deps(), deps()])).toEqual([1, 1, 1]);
    expect(await deps()).toBe(1);
  });

  it('forgets a failed build, so a passing outage at cold start does not poison the container', async () => {
    let attempts = 0;
    const deps = once(async () => {
      if (++attempts === 1) throw new Error('agency keys unreachable');
      return 'ready';
    });
    await expect(deps()).rejects.toThrow('agency keys unreachable');
    expect(await deps()).toBe('ready');
  });
});
