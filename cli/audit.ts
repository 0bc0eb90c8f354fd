/**
 * `hanbeon audit …` (docs/audit.md): export the hash-chained audit trail as JSON Lines, and verify
 * an export offline with nothing but the root certificate. Export reads the deployment's table
 * (--aws, with HANBEON_TABLE_NAME) or, locally, the embedded platform's DATA_DIR — directly when
 * the platform is stopped, through the store endpoint it publishes while it runs (store-endpoint.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../functions/config.ts';
import { openLocalStore } from '../infra/local/store-endpoint.ts';
import { AuditExportUnreadableError, exportAuditTrail, verifyAuditExport, type AuditVerification } from '../shared/audit/index.ts';
import { fromPem } from '../shared/seal/der.ts';
import { DynamoAuditStore } from '../shared/store/dynamo-audit-store.ts';
import { createDocumentClient } from '../shared/store/index.ts';

export const AUDIT_USAGE = `  audit export [--petition ID] [--out FILE] [--aws]
                                           write the audit trail (or one petition's) as JSON Lines
  audit verify FILE --trust ROOT.pem [--json]
                                           check an export offline: hashes, links, signed checkpoints;
                                           exit 0 intact and sealed, 1 broken (names the first bad record),
                                           2 not (yet) sealed by a checkpoint, or unreadable`;

const PETITION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The audit store of the deployment (--aws) or of DATA_DIR, and how to let go of it. */
async function openStore(aws: boolean): Promise<{ store: DynamoAuditStore; close(): Promise<void> }> {
  const config = loadConfig({ ...process.env, HANBEON_MODE: 'local' });
  if (aws) {
    const client = new DynamoDBClient({});
    return { store: new DynamoAuditStore({ client: createDocumentClient(client), tableName: config.HANBEON_TABLE_NAME }), close: async () => client.destroy() };
  }
  const local = await openLocalStore(resolve(config.DATA_DIR));
  return { store: new DynamoAuditStore({ client: createDocumentClient(local.client), tableName: config.HANBEON_TABLE_NAME }), close: local.close };
}

async function exportTrail(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { petition: { type: 'string' }, out: { type: 'string' }, aws: { type: 'boolean', default: false } } });
  if (values.petition !== undefined && !PETITION_ID.test(values.petition)) {
    console.error(`expected a petition id (a UUID), received '${values.petition}'`);
    return 2;
  }
  const { store, close } = await openStore(values.aws);
  const out = values.out === undefined ? process.stdout : createWriteStream(values.out, { mode: 0o600 });
  let records = 0;
  let checkpoints = 0;
  try {
    for await (const line of exportAuditTrail(store, { ...(values.petition ? { petitionId: values.petition } : {}), exportedAt: new Date() })) {
      if (line.startsWith('{"type":"record"')) records++;
      if (line.startsWith('{"type":"checkpoint"')) checkpoints++;
      if (!out.write(`${line}\n`)) await new Promise<void>((resolveDrain) => out.once('drain', () => resolveDrain()));
    }
  } finally {
    await close();
    if (out !== process.stdout) await new Promise<void>((resolveEnd, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolveEnd())));
  }
  console.error(`exported ${records} records and ${checkpoints} checkpoints${values.petition ? ` of petition ${values.petition}` : ''}${values.out ? ` to ${values.out}` : ''}`);
  return 0;
}

const describeResult = (result: AuditVerification): string => {
  const lines = [`audit export: ${result.scope}${result.petitionId ? ` (petition ${result.petitionId})` : ''}, ${result.records} records, ${result.checkpoints.length} checkpoints`];
  for (const checkpoint of result.checkpoints) lines.push(`  checkpoint seq ${checkpoint.seq} at ${checkpoint.at || '?'}: ${checkpoint.ok ? 'valid' : 'INVALID'}, ${checkpoint.detail}`);
  const problem = result.firstProblem;
  if (problem) {
    const where = `record ${problem.seq}${problem.petitionSeq === undefined ? '' : ` (petition record ${problem.petitionSeq})`}${problem.recordId ? ` '${problem.recordId}'` : ''}`;
    lines.push(`BROKEN: ${problem.kind === 'forged-checkpoint' ? `checkpoint at seq ${problem.seq}` : where} — ${problem.kind} (line ${problem.line}): ${problem.detail}`);
    if (result.problems.length > 1) lines.push(`  (${result.problems.length - 1} more problem(s) after it)`);
  } else if (result.sealed) {
    lines.push(`INTACT: ${result.records} records${result.head ? ` up to seq ${result.head.seq}` : ''}, every one sealed by a checkpoint (through seq ${result.sealedThrough})`);
  } else {
    lines.push(
      `NOT SEALED: the hashes link, but ${result.unsealed} of ${result.records} records are not covered by a genuine checkpoint (sealed through seq ${result.sealedThrough}), and links alone can be recomputed by whoever rewrites the file. ` +
        (result.scope === 'petition'
          ? 'A petition export is proven only up to a checkpoint that falls on one of its records: verify the global export.'
          : 'Export again after the next checkpoint (HANBEON_AUDIT_CHECKPOINT_SECONDS), or compare the head with a checkpoint you obtained earlier.'),
    );
  }
  return lines.join('\n');
};

async function verifyExport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { trust: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const [file] = positionals;
  if (!file || !values.trust) {
    console.error(`expected an export file and --trust ROOT.pem (hanbeon pki root prints it)\n${AUDIT_USAGE}`);
    return 2;
  }
  let text: string;
  let root: Uint8Array;
  try {
    text = await readFile(file, 'utf8');
    root = fromPem(await readFile(values.trust, 'utf8'), 'CERTIFICATE');
  } catch (error) {
    console.error(`cannot read the export or the root certificate: ${(error as Error).message}`);
    return 2;
  }
  let result: AuditVerification;
  try {
    result = await verifyAuditExport(text, root);
  } catch (error) {
    if (error instanceof AuditExportUnreadableError) {
      console.error(`${file} is not an audit export: ${error.message}`);
      return 2;
    }
    throw error;
  }
  console.log(values.json ? JSON.stringify(result, null, 2) : describeResult(result));
  return !result.intact ? 1 : result.sealed ? 0 : 2;
}

/** Runs an `audit` subcommand; returns the exit code. */
export async function runAudit(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  try {
    if (subcommand === 'export') return await exportTrail(rest);
    if (subcommand === 'verify') return await verifyExport(rest);
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n${AUDIT_USAGE}`);
      return 2;
    }
    throw error;
  }
  console.error(`unknown audit command '${subcommand ?? ''}'\n${AUDIT_USAGE}`);
  return 2;
}
