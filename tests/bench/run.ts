/**
 * `npm run bench`: end-to-end throughput of the embedded platform through the full core path
 * (HTTP submit → identity → 3 documents over HTTP from the simulated agencies → decision), and in
 * the same run the local runner alone with no-op Tasks as the baseline. Loopback only, bounded in time.
 *
 * Options (environment): BENCH_CLIENTS (20), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../functions/config.ts';
import { startLocalPlatform } from '../../infra/local/platform.ts';
import { LocalWorkflowRunner } from '../../infra/local/workflow-runner.ts';
import { loadPetitionDefinition } from '../../workflows/definition-cache.ts';
import { TASK_STATES } from '../../workflows/petition-workflow.ts';
import { closedLoop, type LoadResult } from './stats.ts';

const clients = Number(process.env.BENCH_CLIENTS ?? 20);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const load = { clients, seconds, warmupSeconds };

const mb = (kb: number) => Math.round(kb / 1024);

async function runnerAlone(): Promise<LoadResult> {
  const definition = await loadPetitionDefinition();
  const noop = async (input: { evidenceId?: string }) => (input.evidenceId ? { evidenceId: input.evidenceId } : { evidenceIds: ['a', 'b', 'c'], outcome: 'approve' });
  const runner = new LocalWorkflowRunner({ definition, tasks: Object.fromEntries(TASK_STATES.map((s) => [s, noop])) });
  const result = await closedLoop('runner alone, no-op Tasks (baseline)', load, async () => {
    const id = randomUUID();
    await runner.start(id);
    await runner.settled(id);
  });
  await runner.close();
  return result;
}

async function fullPath(): Promise<LoadResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hanbeon-bench-'));
  const platform = await startLocalPlatform(loadConfig({ DATA_DIR: dataDir, PORT: '0' }));
  try {
    const type = platform.catalog.petitionTypes.get('basic-pension')!;
    const body = JSON.stringify({ type: type.id, fields: type.example.fields, consent: { documents: type.evidence.map((e) => e.id) } });
    // One synthetic citizen per client, logged in before timing starts (login is not the core path).
    const tokens = await Promise.all(
      Array.from({ length: clients }, async (_, i) => (await platform.idp.issueToken({ subject: `citizen-${String(i * 37).padStart(5, '0')}` })).id_token),
    );
    const decided = new Set(['AWAITING_REVIEW', 'COMPLETED', 'REJECTED']);
    const result = await closedLoop('full core path (submit → 3 agencies → decision)', load, async (client) => {
      const answer = await fetch(`${platform.url}/v1/petitions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[client]}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body,
      });
      if (answer.status !== 202) throw new Error(`submit answered ${answer.status}: ${await answer.text()}`);
      const { id } = (await answer.json()) as { id: string };
      // Decided = the workflow execution has ended; then the status is read back through the API.
      await platform.runner.settled(id);
      const petition = (await (await fetch(`${platform.url}/v1/petitions/${id}`, { headers: { authorization: `Bearer ${tokens[client]}` } })).json()) as { status: string };
      if (!decided.has(petition.status)) throw new Error(`petition ${id} ended ${petition.status}`);
    });
    return result;
  } finally {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const row = (r: LoadResult) =>
  `| ${r.label} | ${r.perSecond.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.completed} | ${r.errors} |`;

console.log(`hanbeon core benchmark: ${clients} concurrent clients, ${seconds} s measured after ${warmupSeconds} s warm-up, Node ${process.version}`);
// The full path runs first so that the peak RSS read after it is the platform's (with its clients),
// not the baseline's.
const full = await fullPath();
const peakRssKb = process.resourceUsage().maxRSS;
const baseline = await runnerAlone();
console.log('\n| path | per second | p50 ms | p99 ms | completed | errors |\n|---|---|---|---|---|---|');
console.log(row(baseline));
console.log(row(full));
console.log(`\nfull path throughput = ${(full.perSecond / baseline.perSecond * 100).toFixed(1)} % of the runner-alone baseline`);
console.log(`peak RSS of the benchmark process (platform + clients): ${mb(peakRssKb)} MB`);
console.log(`targets: ≥ 100 petitions/s → ${full.perSecond >= 100 ? 'met' : 'NOT met'}; p99 < 250 ms → ${full.p99 < 250 ? 'met' : 'NOT met'}; peak RSS < 400 MB → ${mb(peakRssKb) < 400 ? 'met' : 'NOT met'}`);
