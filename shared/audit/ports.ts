/**
 * The audit trail's ports (docs/adr/0008). Writers only `record`; one chainer links what was
 * recorded into the chain; readers export it and show a citizen who read their documents. One
 * adapter: shared/store/dynamo-audit-store.ts (DynamoDB single table, dynalite locally).
 */
import type { AccessEvent, AuditEvent, EvidenceEvent } from './events.ts';
import type { ChainedRecord, ChainHead, Checkpoint } from './chain.ts';

export interface RecordOptions {
  /** The citizen whose petition the event concerns: indexes evidence and access events for GET /v1/me/data-access. Never stored in the record. */
  citizen?: string;
}

/** What workflow steps, the delivery worker and the API use: record an event once. */
export interface AuditRecorder {
  /** Records `event` for chaining; recording the same id again is a no-op (the first record wins). */
  record(event: AuditEvent, options?: RecordOptions): Promise<void>;
}

/** The global chain's head as stored: the records it was last claimed for, so a crash after the claim is finished later. */
export interface StoredChainHead extends ChainHead {
  claimed?: ChainedRecord[];
}

/** What the (single) chainer needs. */
export interface AuditChainStore {
  readHead(): Promise<StoredChainHead>;
  /**
   * Moves the head from `from` to the last of `entries` (consecutive, after `from`) in one
   * conditional write, keeping the entries in it (in place of the previous claim's, which must be
   * stored by then); false when the head is not at `from` any more (another chainer ran: nothing
   * was written).
   */
  claimHead(from: ChainHead, entries: ChainedRecord[]): Promise<boolean>;
  /** Recorded events not yet chained, oldest first (by time, then id). */
  listPending(limit: number): Promise<AuditEvent[]>;
  /** The last stored record of a petition's chain, if it has one (read from its chained records). */
  petitionHead(petitionId: string): Promise<ChainHead | undefined>;
  /**
   * Stores the records of one claim where readers find them: the claim's block of the chain by
   * seq, then each event marked chained. Idempotent, so calling it again after a crash finishes
   * the job; answers the ids of the events this call marked (those not stored before).
   */
  storeChained(entries: ChainedRecord[]): Promise<string[]>;
  /** Forgets the records the head was claimed for, once all are stored (a head that moved on is left alone). */
  settleClaim(head: ChainHead): Promise<void>;
  latestCheckpoint(): Promise<Checkpoint | undefined>;
  /** Stores a checkpoint; one per seq (a second one for the same seq is ignored). */
  putCheckpoint(checkpoint: Checkpoint): Promise<void>;
}

/** An evidence retrieval or an agency's read, as a citizen's data-access view lists it. */
export interface CitizenAccessEntry {
  event: EvidenceEvent | AccessEvent;
  /** Its position in the global chain, once chained. */
  seq?: number;
}

export interface AuditPage<T> {
  items: T[];
  cursor?: string;
}

/** What exports and the data-access view read. */
export interface AuditReader {
  /** The global chain in order, from `fromSeq` (default 1) to the head. */
  readChain(fromSeq?: number): AsyncIterable<ChainedRecord>;
  /** A petition's chained records, in its chain's order. */
  readPetitionChain(petitionId: string): Promise<ChainedRecord[]>;
  /** Every checkpoint, oldest first. */
  readCheckpoints(): AsyncIterable<Checkpoint>;
  /** The citizen's evidence retrievals and agency reads, newest first; throws InvalidCursorError for a cursor it did not hand out. */
  listCitizenAccess(citizen: string, page?: { limit?: number; cursor?: string }): Promise<AuditPage<CitizenAccessEntry>>;
}
