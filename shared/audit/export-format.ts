/**
 * The audit export: JSON Lines (docs/audit.md). A header (format, scope, the certificates the
 * checkpoints need, by SHA-256), then the records in chain order, then the checkpoints. Everything
 * an auditor needs besides the root certificate is in the file.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ChainedRecord, Checkpoint } from './chain.ts';
import type { AuditReader } from './ports.ts';

export const EXPORT_FORMAT = 'hanbeon-audit-export/1';

export interface ExportHeader {
  type: 'header';
  format: typeof EXPORT_FORMAT;
  /** `global`: the whole chain; `petition`: one petition's chain (its records only, with their global seq). */
  scope: 'global' | 'petition';
  petitionId?: string;
  exportedAt: string;
  /** DER certificates (base64) the checkpoints refer to, by lowercase hex SHA-256. */
  certificates: Record<string, string>;
}

export type RecordLine = { type: 'record' } & ChainedRecord;

/** A checkpoint with its certificates named by SHA-256 (they are in the header). */
export type CheckpointLine = { type: 'checkpoint' } & Omit<Checkpoint, 'certificate' | 'chain'> & { certificate: string; chain: string[] };

const sha256 = (base64: string) => createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');

const asCheckpointLine = (checkpoint: Checkpoint, certificates: Record<string, string>): CheckpointLine => {
  const name = (der: string) => {
    const id = sha256(der);
    certificates[id] = der;
    return id;
  };
  return { type: 'checkpoint', ...checkpoint, certificate: name(checkpoint.certificate), chain: checkpoint.chain.map(name) };
};

/** The checkpoints a petition's export shows: those from its first record up to the first that covers its last. */
const checkpointsFor = (all: Checkpoint[], records: ChainedRecord[]): Checkpoint[] => {
  if (records.length === 0) return [];
  const first = records[0]!.seq;
  const last = records[records.length - 1]!.seq;
  const covering = all.find((c) => c.seq >= last);
  return all.filter((c) => c.seq >= first && (!covering || c.seq <= covering.seq));
};

/** The export's lines (without newlines), read from `reader`: the whole chain, or one petition's. */
export async function* exportAuditTrail(reader: AuditReader, options: { petitionId?: string; exportedAt: Date }): AsyncIterable<string> {
  const all: Checkpoint[] = [];
  for await (const checkpoint of reader.readCheckpoints()) all.push(checkpoint);
  const petitionRecords = options.petitionId === undefined ? undefined : await reader.readPetitionChain(options.petitionId);
  const certificates: Record<string, string> = {};
  const checkpoints = (petitionRecords ? checkpointsFor(all, petitionRecords) : all).map((c) => asCheckpointLine(c, certificates));
  const header: ExportHeader = {
    type: 'header',
    format: EXPORT_FORMAT,
    scope: options.petitionId === undefined ? 'global' : 'petition',
    ...(options.petitionId === undefined ? {} : { petitionId: options.petitionId }),
    exportedAt: options.exportedAt.toISOString(),
    certificates,
  };
  yield JSON.stringify(header);
  if (petitionRecords) {
    for (const record of petitionRecords) yield JSON.stringify({ type: 'record', ...record });
  } else {
    for await (const record of reader.readChain()) yield JSON.stringify({ type: 'record', ...record });
  }
  for (const checkpoint of checkpoints) yield JSON.stringify(checkpoint);
}

// --- reading an export back (strictly: anything unexpected is a changed line) ---------------------

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const seq = z.number().int().positive();

export const exportHeaderSchema = z.strictObject({
  type: z.literal('header'),
  format: z.literal(EXPORT_FORMAT),
  scope: z.enum(['global', 'petition']),
  petitionId: z.string().min(1).optional(),
  exportedAt: z.string(),
  certificates: z.record(hex64, base64),
});

/** Records are checked by their hash, so the event itself only needs to be an object with an id. */
export const recordLineSchema = z.strictObject({
  type: z.literal('record'),
  seq,
  prevHash: hex64,
  petitionSeq: seq.optional(),
  petitionPrevHash: hex64.optional(),
  hash: hex64,
  record: z.looseObject({ id: z.string(), kind: z.string(), at: z.string() }),
});

export const checkpointLineSchema = z.strictObject({
  type: z.literal('checkpoint'),
  seq,
  hash: hex64,
  at: z.string(),
  digest: hex64,
  signature: base64,
  certificate: hex64,
  chain: z.array(hex64),
  timestampToken: base64,
});
