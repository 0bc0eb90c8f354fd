/**
 * The audit chainer on AWS (docs/adr/0008): a one-minute schedule runs it with a reserved
 * concurrency of one, so it is the chain's only writer. Each run finishes an append a crash
 * interrupted, chains what was recorded since, and seals a checkpoint when one is due.
 */
import middy from '@middy/core';

export const handler = middy(async () => {
  const { awsAuditChainer } = await import('../compose.ts');
  const summary = await (await awsAuditChainer()).run();
  return { chained: summary.chained, head: summary.head.seq, checkpoints: summary.checkpoints, ...(summary.recovered ? { recovered: summary.recovered } : {}) };
});
