/**
 * Offline verification of an audit export (docs/audit.md): every record's hash, the global links
 * (seq without gaps, prevHash), the per-petition links, and every checkpoint — its platform-seal
 * signature and RFC 3161 timestamp against the auditor's root, and that the chain has the hash the
 * checkpoint sealed. Names the first record that was removed, reordered or altered.
 */
import type { AuditEvent } from './events.ts';
import { GENESIS_HASH, recordHash, type ChainedRecord } from './chain.ts';
import { checkCheckpoint } from './checkpoint-check.ts';
import { checkpointLineSchema, exportHeaderSchema, recordLineSchema, type CheckpointLine, type ExportHeader } from './export-format.ts';

/** The export cannot be read as one (no header, another format): a usage problem, not a verdict. */
export class AuditExportUnreadableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditExportUnreadableError';
  }
}

export type ProblemKind = 'removed' | 'reordered' | 'altered' | 'forged-checkpoint';

export interface ChainProblem {
  kind: ProblemKind;
  /** The global seq of the first record concerned (for a checkpoint: the seq it seals). */
  seq: number;
  /** In a petition's export, its position in the petition's chain. */
  petitionSeq?: number;
  recordId?: string;
  /** 1-based line of the export where it showed. */
  line: number;
  detail: string;
}

export interface CheckpointReport {
  seq: number;
  at: string;
  line: number;
  ok: boolean;
  detail: string;
  signedBy?: string;
  timestampTime?: string;
}

export interface AuditVerification {
  intact: boolean;
  scope: ExportHeader['scope'];
  petitionId?: string;
  records: number;
  /** The last record's seq and hash, when the records checked out. */
  head?: { seq: number; hash: string };
  checkpoints: CheckpointReport[];
  /** The highest seq a valid checkpoint seals and the chain matches. */
  sealedThrough: number;
  /** Records after the last valid checkpoint: intact as far as the hashes go, but not yet sealed. */
  unsealed: number;
  /**
   * Intact, and every record proven by a genuine checkpoint. Hash links alone prove nothing against
   * someone who rewrites the file and recomputes them (or drops the checkpoints): only what a signed,
   * timestamped checkpoint seals is proven. A petition's export is sealed up to a checkpoint that
   * falls on one of its own records.
   */
  sealed: boolean;
  /** The first problem, by position in the chain. */
  firstProblem?: ChainProblem;
  problems: ChainProblem[];
}

interface Slot {
  line: number;
  raw: string;
  record?: ChainedRecord;
  /** Why the line is not a record, when it is not. */
  invalid?: string;
}

const idIn = (raw: string): string | undefined => /"id":"([^"\\]{1,200})"/.exec(raw)?.[1];

const parseJson = (raw: string): unknown => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
};

const readSlot = (raw: string, line: number): Slot => {
  const value = parseJson(raw);
  if (value === undefined) return { line, raw, invalid: 'the line is not JSON' };
  const parsed = recordLineSchema.safeParse(value);
  if (!parsed.success) return { line, raw, invalid: `the line is not a record (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  // The hash is recomputed over the line as written, not over what the schema made of it.
  const { type: _type, ...record } = value as { type: 'record' } & ChainedRecord;
  return { line, raw, record };
};

const isCheckpointLine = (raw: string): boolean => /^\{"type":"checkpoint"/.test(raw);

/** Splits the export into header, record slots and checkpoint lines. */
const splitExport = (text: string) => {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const headerValue = parseJson(lines[0] ?? '');
  const header = exportHeaderSchema.safeParse(headerValue);
  if (!header.success) throw new AuditExportUnreadableError(`line 1 is not a ${'hanbeon-audit-export/1'} header (${header.error.issues[0]?.message ?? 'empty file'})`);
  // Records run until the first checkpoint; a damaged line among the records is a record slot.
  let end = 1;
  while (end < lines.length && !isCheckpointLine(lines[end]!)) end++;
  const slots = lines.slice(1, end).map((raw, i) => readSlot(raw, i + 2));
  const checkpointLines = lines.slice(end).map((raw, i) => ({ raw, line: end + i + 1 }));
  return { header: header.data as ExportHeader, slots, checkpointLines };
};

const petitionOfRecord = (record: ChainedRecord): string | undefined => (record.record as AuditEvent & { petitionId?: string }).petitionId;

/** Walks the global chain; returns the first problem, and the hash of every record checked before it. */
function walkGlobal(slots: Slot[]): { problem?: ChainProblem; hashes: Map<number, string> } {
  const hashes = new Map<number, string>();
  const petitionHeads = new Map<string, { seq: number; hash: string }>();
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const expected = i + 1;
    const record = slot.record;
    if (!record) return { hashes, problem: { kind: 'altered', seq: expected, ...optionalId(idIn(slot.raw)), line: slot.line, detail: `${slot.invalid}: record ${expected} was altered` } };
    if (recordHash(record, record.record) !== record.hash) {
      return { hashes, problem: { kind: 'altered', seq: expected, recordId: record.record.id, line: slot.line, detail: `record ${expected} ('${record.record.id}') does not hash to the hash it carries: it was altered` } };
    }
    if (record.seq !== expected) {
      const later = slots.slice(i + 1).some((s) => s.record?.seq === expected);
      return {
        hashes,
        problem: later || record.seq < expected
          ? { kind: 'reordered', seq: expected, recordId: record.record.id, line: slot.line, detail: `found record ${record.seq} ('${record.record.id}') where record ${expected} belongs: the records were reordered` }
          : { kind: 'removed', seq: expected, line: slot.line, detail: `record ${expected} is missing (the next record present is ${record.seq}, '${record.record.id}'): it was removed` },
      };
    }
    if (record.prevHash !== prevHash) {
      // Record `expected` is intact and links to a record `expected - 1` that is not the one here.
      const previous = slots[i - 1]?.record;
      return {
        hashes,
        problem: expected === 1
          ? { kind: 'altered', seq: 1, recordId: record.record.id, line: slot.line, detail: `record 1 ('${record.record.id}') does not start from the genesis hash: it was altered` }
          : { kind: 'altered', seq: expected - 1, ...optionalId(previous?.record.id), line: slot.line - 1, detail: `record ${expected} links to a record ${expected - 1} with hash ${record.prevHash}; the one in the export hashes to ${prevHash}: record ${expected - 1} was altered` },
      };
    }
    const petitionId = petitionOfRecord(record);
    if (petitionId !== undefined) {
      const head = petitionHeads.get(petitionId) ?? { seq: 0, hash: GENESIS_HASH };
      if (record.petitionSeq !== head.seq + 1 || record.petitionPrevHash !== head.hash) {
        return { hashes, problem: { kind: 'altered', seq: expected, recordId: record.record.id, line: slot.line, detail: `record ${expected} ('${record.record.id}') is not linked to the previous record of petition ${petitionId} (petitionSeq ${String(record.petitionSeq)}, expected ${head.seq + 1})` } };
      }
      petitionHeads.set(petitionId, { seq: head.seq + 1, hash: record.hash });
    } else if (record.petitionSeq !== undefined || record.petitionPrevHash !== undefined) {
      return { hashes, problem: { kind: 'altered', seq: expected, recordId: record.record.id, line: slot.line, detail: `record ${expected} ('${record.record.id}') belongs to no petition but carries a petition link` } };
    }
    hashes.set(record.seq, record.hash);
    prevHash = record.hash;
  }
  return { hashes };
}

/** Walks one petition's chain (its records, with gaps in the global seq). */
function walkPetition(slots: Slot[], petitionId: string): { problem?: ChainProblem; hashes: Map<number, string> } {
  const hashes = new Map<number, string>();
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const expected = i + 1;
    const record = slot.record;
    const at = (kind: ProblemKind, detail: string, seq = record?.seq ?? lastSeq + 1, petitionSeq = expected, recordId = record?.record.id, line = slot.line): { problem: ChainProblem; hashes: Map<number, string> } => ({
      hashes,
      problem: { kind, seq, petitionSeq, ...optionalId(recordId), line, detail },
    });
    if (!record) return at('altered', `${slot.invalid}: record ${expected} of petition ${petitionId} was altered`, lastSeq + 1, expected, idIn(slot.raw));
    if (recordHash(record, record.record) !== record.hash) return at('altered', `record ${expected} of petition ${petitionId} (seq ${record.seq}, '${record.record.id}') does not hash to the hash it carries: it was altered`);
    if (petitionOfRecord(record) !== petitionId) return at('altered', `record seq ${record.seq} ('${record.record.id}') belongs to another petition than ${petitionId}`);
    if (record.petitionSeq !== expected) {
      const later = slots.slice(i + 1).some((s) => s.record?.petitionSeq === expected);
      return later || (record.petitionSeq ?? 0) < expected
        ? at('reordered', `found petition record ${String(record.petitionSeq)} (seq ${record.seq}, '${record.record.id}') where petition record ${expected} belongs: the records were reordered`)
        : at('removed', `petition record ${expected} is missing (the next present is ${String(record.petitionSeq)}, seq ${record.seq}): it was removed`, lastSeq + 1, expected, undefined);
    }
    if (record.petitionPrevHash !== prevHash) {
      const previous = slots[i - 1]?.record;
      return expected === 1
        ? at('altered', `the petition's first record ('${record.record.id}') does not start from the genesis hash: it was altered`)
        : at('altered', `petition record ${expected} links to a record ${expected - 1} with hash ${String(record.petitionPrevHash)}; the one in the export hashes to ${prevHash}: it was altered`, previous?.seq ?? lastSeq, expected - 1, previous?.record.id, slot.line - 1);
    }
    if (record.seq <= lastSeq) return at('reordered', `petition record ${expected} has seq ${record.seq}, not after the previous record's ${lastSeq}: the records were reordered`);
    hashes.set(record.seq, record.hash);
    prevHash = record.hash;
    lastSeq = record.seq;
  }
  return { hashes };
}

const optionalId = (id: string | undefined) => (id === undefined ? {} : { recordId: id });

/** Verifies an export against `root` (DER of the trusted root certificate). Rejects with AuditExportUnreadableError for what is no export. */
export async function verifyAuditExport(text: string, root: Uint8Array): Promise<AuditVerification> {
  const { header, slots, checkpointLines } = splitExport(text);
  if (header.scope === 'petition' && header.petitionId === undefined) throw new AuditExportUnreadableError('line 1 declares a petition export without a petitionId');
  const walk = header.scope === 'global' ? walkGlobal(slots) : walkPetition(slots, header.petitionId!);
  const problems: ChainProblem[] = walk.problem ? [walk.problem] : [];
  const pool = Object.values(header.certificates).map((der) => new Uint8Array(Buffer.from(der, 'base64')));
  const lastChecked = Math.max(0, ...walk.hashes.keys());

  const checkpoints: CheckpointReport[] = [];
  let sealedThrough = 0;
  let previousSealed = 0;
  for (const { raw, line } of checkpointLines) {
    const parsed = checkpointLineSchema.safeParse(parseJson(raw));
    if (!parsed.success) {
      const seq = Number(/"seq":(\d+)/.exec(raw)?.[1] ?? 0);
      checkpoints.push({ seq, at: '', line, ok: false, detail: 'the line is not a checkpoint' });
      problems.push({ kind: 'forged-checkpoint', seq, line, detail: `line ${line} is not a valid checkpoint: it was altered` });
      continue;
    }
    const checkpoint: CheckpointLine = parsed.data;
    const certificate = header.certificates[checkpoint.certificate];
    const check = certificate === undefined
      ? ({ ok: false, detail: `its certificate ${checkpoint.certificate} is not in the header` } as const)
      : await checkCheckpoint(
          {
            seq: checkpoint.seq,
            hash: checkpoint.hash,
            at: checkpoint.at,
            digest: checkpoint.digest,
            signature: Buffer.from(checkpoint.signature, 'base64'),
            certificate: Buffer.from(certificate, 'base64'),
            timestampToken: Buffer.from(checkpoint.timestampToken, 'base64'),
          },
          pool,
          root,
        );
    if (!check.ok) {
      checkpoints.push({ seq: checkpoint.seq, at: checkpoint.at, line, ok: false, detail: check.detail });
      problems.push({ kind: 'forged-checkpoint', seq: checkpoint.seq, line, detail: `the checkpoint at seq ${checkpoint.seq} is not genuine: ${check.detail}` });
      continue;
    }
    const report: CheckpointReport = { seq: checkpoint.seq, at: checkpoint.at, line, ok: true, detail: `sealed by '${check.signedBy}', timestamped ${check.timestampTime} by '${check.tsa}'`, signedBy: check.signedBy, timestampTime: check.timestampTime };
    checkpoints.push(report);
    const chained = walk.hashes.get(checkpoint.seq);
    if (chained === undefined) {
      // A genuine checkpoint past the last record: the records it sealed were cut off the end.
      if (!walk.problem && header.scope === 'global' && checkpoint.seq > lastChecked) {
        problems.push({ kind: 'removed', seq: lastChecked + 1, line, detail: `the checkpoint at seq ${checkpoint.seq} seals ${checkpoint.seq} records; the export ends at ${lastChecked}: records from ${lastChecked + 1} were removed` });
      }
      continue;
    }
    if (chained !== checkpoint.hash) {
      problems.push({ kind: 'altered', seq: previousSealed + 1, line, detail: `the checkpoint at seq ${checkpoint.seq} sealed hash ${checkpoint.hash}; the chain has ${chained}: records ${previousSealed + 1}..${checkpoint.seq} were rewritten` });
      continue;
    }
    previousSealed = checkpoint.seq;
    sealedThrough = Math.max(sealedThrough, checkpoint.seq);
  }

  problems.sort((a, b) => a.seq - b.seq);
  const records = slots.length;
  const unsealed = walk.problem ? 0 : [...walk.hashes.keys()].filter((seq) => seq > sealedThrough).length;
  const last = slots[slots.length - 1]?.record;
  return {
    intact: problems.length === 0,
    scope: header.scope,
    ...(header.petitionId === undefined ? {} : { petitionId: header.petitionId }),
    records,
    ...(!walk.problem && last ? { head: { seq: last.seq, hash: last.hash } } : {}),
    checkpoints,
    sealedThrough,
    unsealed,
    sealed: problems.length === 0 && unsealed === 0,
    ...(problems[0] ? { firstProblem: problems[0] } : {}),
    problems,
  };
}
