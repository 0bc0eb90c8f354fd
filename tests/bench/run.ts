/**
 * `npm run bench`: end-to-end throughput of the embedded platform through the full core path
 * (HTTP submit → identity → 3 documents over HTTP from the simulated agencies → decision), and in
 * the same run the local runner alone with no-op Tasks as the baseline. Loopback only, bounded in time.
 *
 * Then, each against its baseline measured in the same run: the signed result per document (issue 3:
 * render + PAdES signing vs pdf-lib's font embedding and @signpdf/signpdf) and webhook delivery
 * (issue 4: signed deliveries vs plain POSTs).
 *
 * Then offline verification (issue 5): `hanbeon verify` over 1,000 signed results in one process vs
 * pdfsig one file at a time.
 *
 * Options (environment): BENCH_ONLY (platform | signing | webhooks | verify; default all), BENCH_CLIENTS (20),
 * BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_SIGNING_RUNS (200), BENCH_SIGNING_BASELINE_RUNS (20),
 * BENCH_WEBHOOKS (4000), BENCH_CONCURRENCY (32), BENCH_VERIFY_FILES (1000), BENCH_PDFSIG_SECONDS (90).
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
import { measureSigning } from './signing.ts';
import { closedLoop, type LoadResult } from './stats.ts';
import { measureVerify } from './verify.ts';
import { measureWebhookDelivery } from './webhook-delivery.ts';

const clients = Number(process.env.BENCH_CLIENTS ?? 20);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const load = { clients, seconds, warmupSeconds };
const SECTIONS = ['platform', 'signing', 'webhooks', 'verify'] as const;
const only = process.env.BENCH_ONLY;
if (only !== undefined && !(SECTIONS as readonly string[]).includes(only)) {
  throw new RangeError(`received BENCH_ONLY=${only}; expected one of ${SECTIONS.join(', ')} (or unset for all)`);
}
const runs = (section: (typeof SECTIONS)[number]) => only === undefined || only === section;

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
  const platform = await startLocalPlatform(loadConfig({ ...process.env, DATA_DIR: dataDir, PORT: '0' }));
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

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

async function platformSection(): Promise<void> {
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
  console.log(`targets: ≥ 100 petitions/s → ${met(full.perSecond >= 100)}; p99 < 250 ms → ${met(full.p99 < 250)}; peak RSS < 400 MB → ${met(mb(peakRssKb) < 400)}`);
}

async function signingSection(): Promise<void> {
  const signingRuns = Number(process.env.BENCH_SIGNING_RUNS ?? 200);
  const baselineRuns = Number(process.env.BENCH_SIGNING_BASELINE_RUNS ?? 20);
  console.log(`\nsigned result (issue 3): the sample result, one document at a time, ${signingRuns} timed (baseline (a): ${baselineRuns}) after warm-up, Node ${process.version}`);
  const m = await measureSigning({ runs: signingRuns, baselineRuns });
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  const timing = (label: string, t: { p50Ms: number; p99Ms: number; runs: number }, bytes: number | string) =>
    `| ${label} | ${t.p50Ms.toFixed(2)} | ${t.p99Ms.toFixed(2)} | ${t.runs} | ${typeof bytes === 'number' ? kb(bytes) : bytes} |`;
  console.log('\n| per document | p50 ms | p99 ms | runs | PDF KB |\n|---|---|---|---|---|');
  console.log(timing('(a) pdf-lib embedFont subset, render only (baseline)', m.pdfLibRender, m.pdfLibBytes));
  console.log(timing('ours: render + prepare + sign (ECDSA P-256, RFC 3161 timestamp, DSS)', m.oursRenderAndSign, m.oursBytes));
  console.log(timing('(b) @signpdf/signpdf + P12Signer sign() only (RSA-2048, no timestamp) (baseline)', m.signpdfSign, m.signpdfBytes));
  console.log(timing('ours: signPreparedPdf only (includes the RFC 3161 timestamp)', m.oursSign, '–'));
  console.log(`\nrender + sign: (a) p50 ÷ ours p50 = ${m.renderRatio.toFixed(1)}×; signing step: ours p50 ÷ (b) p50 = ${m.signRatio.toFixed(2)}`);
  console.log(
    `targets: render + sign p50 ≤ 10 ms → ${met(m.oursRenderAndSign.p50Ms <= 10)}; ≥ 5× faster than (a) → ${met(m.renderRatio >= 5)}; ` +
      `signing no slower than (b) → ${met(m.signRatio <= 1)}; PDF ≤ 60 KB → ${met(m.oursBytes <= 60 * 1024)}`,
  );
}

async function webhookSection(): Promise<void> {
  const count = Number(process.env.BENCH_WEBHOOKS ?? 4000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
  console.log(`\nwebhook delivery (issue 4): ${count} messages per round, ${concurrency} in flight, median of 3 rounds after warm-up, loopback, Node ${process.version}`);
  const w = await measureWebhookDelivery({ count, concurrency });
  console.log('\n| delivery | per second |\n|---|---|');
  console.log(`| plain POST, same keep-alive agent and receiver (baseline) | ${w.plainPerSecond.toFixed(0)} |`);
  console.log(`| signed (standardwebhooks signature + HttpWebhookTransport) | ${w.signedPerSecond.toFixed(0)} |`);
  console.log(`\nsigned delivery costs ${w.ratio.toFixed(2)}× a plain POST`);
  console.log(`targets: ≥ 1,000 signed deliveries/s → ${met(w.signedPerSecond >= 1000)}; ≤ 1.5× the plain cost → ${met(w.ratio <= 1.5)}`);
}

async function verifySection(): Promise<void> {
  const files = Number(process.env.BENCH_VERIFY_FILES ?? 1000);
  const budget = Number(process.env.BENCH_PDFSIG_SECONDS ?? 90);
  console.log(`\noffline verification (issue 5): ${files} distinct signed results, hanbeon verify in one process vs pdfsig per file (budget ${budget} s), Node ${process.version}`);
  const v = await measureVerify({ files, pdfsigBudgetSeconds: budget });
  console.log(`corpus generated in ${v.generationSeconds.toFixed(1)} s (not timed below)`);
  console.log('\n| verifier | files | seconds | PDFs per second |\n|---|---|---|---|');
  console.log(`| pdfsig, one process per file, only our root in NSS (baseline) | ${v.pdfsigFiles}${v.pdfsigFiles < v.files ? ` of ${v.files} (budget reached)` : ''} | ${v.pdfsigSeconds.toFixed(1)} | ${v.pdfsigPerSecond.toFixed(1)} |`);
  console.log(`| hanbeon verify --json, one process, start-up included (all passed) | ${v.files} | ${v.cliSeconds.toFixed(2)} | ${v.cliPerSecond.toFixed(1)} |`);
  console.log(`\nhanbeon verify ÷ pdfsig = ${v.ratio.toFixed(1)}×; the CLI's own figure, start-up excluded: ${v.cliReportedPerSecond.toFixed(1)} PDFs/s`);
  console.log(`targets: ≥ 200 PDFs/s → ${met(v.cliPerSecond >= 200)}; ≥ 5× pdfsig → ${met(v.ratio >= 5)}`);
}

// Platform first: its peak RSS reading must not include the other sections.
if (runs('platform')) await platformSection();
if (runs('signing')) await signingSection();
if (runs('webhooks')) await webhookSection();
if (runs('verify')) await verifySection();
