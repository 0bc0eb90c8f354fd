/**
 * The chainer: the one writer of the chain (docs/adr/0008). Writers only record events; this takes
 * them in time order and appends them a few at a time — claim the head for them (one conditional
 * write, seq n → n+k), then store them where readers find them (one block by seq, each event
 * marked chained) — and seals the chain with a
 * checkpoint every N records or T seconds. The head keeps the records it was claimed for, so a
 * crash between the claim and the rest is finished, identically, by the next run. Locally a loop runs it (infra/local/audit-loop.ts);
 * on AWS a scheduled Lambda with a reserved concurrency of one.
 */
import { checkpointDigest, linkRecord, type ChainedRecord, type ChainHead, type Checkpoint } from './chain.ts';
import { petitionOf } from './events.ts';
import type { AuditChainStore } from './ports.ts';

/** Signs a checkpoint digest with the platform seal and timestamps it (checkpoint-sealer.ts). */
export type CheckpointSealer = (digest: Uint8Array) => Promise<Pick<Checkpoint, 'signature' | 'certificate' | 'chain' | 'timestampToken'>>;

/** The head moved under the chainer: a second chainer runs, which the deployment must not allow. Nothing was written. */
export class ChainHeadMovedError extends Error {
  constructor(expectedSeq: number, recordId: string) {
    super(`the audit chain head is no longer at seq ${expectedSeq} (claiming it for '${recordId}'); expected a single chainer`);
    this.name = 'ChainHeadMovedError';
  }
}

export interface AuditChainerOptions {
  store: AuditChainStore;
  seal: CheckpointSealer;
  clock: () => Date;
  /** A checkpoint after this many new records at the latest. @default 1000 */
  checkpointEveryRecords?: number;
  /** …or once this long has passed since the last one and a record has been added. @default 300 000 ms */
  checkpointIntervalMs?: number;
  /** Pending events read per query. @default 100 */
  batchSize?: number;
  /** Records appended per head claim (stored as one block and one batch of event writes). @default 25 */
  claimSize?: number;
}

/** What one run did. */
export interface ChainRunSummary {
  chained: number;
  /** Records a previous run had claimed and not stored, finished by this one. */
  recovered?: string[];
  /** The checkpoints written, by seq. */
  checkpoints: number[];
  head: ChainHead;
}

/** Links recorded events into the chain and seals it; `run()` does what is pending and returns. */
export class AuditChainer {
  readonly #store: AuditChainStore;
  readonly #seal: CheckpointSealer;
  readonly #clock: () => Date;
  readonly #everyRecords: number;
  readonly #intervalMs: number;
  readonly #batchSize: number;
  readonly #claimSize: number;

  constructor(options: AuditChainerOptions) {
    this.#store = options.store;
    this.#seal = options.seal;
    this.#clock = options.clock;
    this.#everyRecords = options.checkpointEveryRecords ?? 1000;
    this.#intervalMs = options.checkpointIntervalMs ?? 300_000;
    this.#batchSize = options.batchSize ?? 100;
    this.#claimSize = options.claimSize ?? 25;
    if (!(Number.isInteger(this.#everyRecords) && this.#everyRecords >= 1)) throw new RangeError(`checkpointEveryRecords is ${this.#everyRecords}; expected a positive integer`);
    if (!(this.#intervalMs >= 0)) throw new RangeError(`checkpointIntervalMs is ${this.#intervalMs}; expected zero or more`);
  }

  /** Finishes an interrupted append, chains every pending event, and writes a checkpoint when one is due. */
  async run(): Promise<ChainRunSummary> {
    const stored = await this.#store.readHead();
    const summary: ChainRunSummary = { chained: 0, checkpoints: [], head: { seq: stored.seq, hash: stored.hash } };
    // The claim is the commitment: whatever followed it is redone from the head alone, never re-linked.
    if (stored.claimed) {
      const unfinished = await this.#store.storeChained(stored.claimed);
      await this.#store.settleClaim(summary.head);
      if (unfinished.length > 0) summary.recovered = unfinished;
    }
    let head: ChainHead = summary.head;
    let last = await this.#store.latestCheckpoint();
    // Petition heads this run has linked to: the store is read once per petition per run (every
    // claim before this run is stored by now, so what the store derives them from is complete).
    const petitionHeads = new Map<string, ChainHead | undefined>();
    const petitionHeadOf = async (petitionId: string) => {
      if (!petitionHeads.has(petitionId)) petitionHeads.set(petitionId, await this.#store.petitionHead(petitionId));
      return petitionHeads.get(petitionId);
    };
    for (;;) {
      const pending = await this.#store.listPending(this.#batchSize);
      for (let next = 0; next < pending.length; ) {
        // A claim never runs past the next checkpoint boundary, so checkpoints fall every N records exactly.
        const room = Math.min(this.#claimSize, this.#everyRecords - (head.seq - (last?.seq ?? 0)));
        const entries: ChainedRecord[] = [];
        let tail = head;
        for (const event of pending.slice(next, next + Math.max(1, room))) {
          const petitionId = petitionOf(event);
          const entry = linkRecord(tail, petitionId === undefined ? undefined : await petitionHeadOf(petitionId), event);
          if (petitionId !== undefined) petitionHeads.set(petitionId, { seq: entry.petitionSeq!, hash: entry.hash });
          entries.push(entry);
          tail = { seq: entry.seq, hash: entry.hash };
        }
        // Each claim replaces the previous one, stored in full by then: one settle per run suffices.
        if (!(await this.#store.claimHead(head, entries))) throw new ChainHeadMovedError(head.seq, entries[0]!.record.id);
        await this.#store.storeChained(entries);
        head = tail;
        next += entries.length;
        summary.chained += entries.length;
        if (head.seq - (last?.seq ?? 0) >= this.#everyRecords) last = await this.#checkpoint(head, summary);
      }
      // Not `pending.length < batchSize`: the store drops events the (eventually consistent) index
      // still lists after they were chained, so a short page does not mean the backlog is done.
      if (pending.length === 0) break;
    }
    if (summary.chained > 0) await this.#store.settleClaim(head);
    summary.head = head;
    const since = head.seq - (last?.seq ?? 0);
    if (since > 0 && (!last || this.#clock().getTime() - Date.parse(last.at) >= this.#intervalMs)) await this.#checkpoint(head, summary);
    return summary;
  }

  async #checkpoint(head: ChainHead, summary: ChainRunSummary): Promise<Checkpoint> {
    const statement = { seq: head.seq, hash: head.hash, at: this.#clock().toISOString() };
    const digest = checkpointDigest(statement);
    const checkpoint: Checkpoint = { ...statement, digest: Buffer.from(digest).toString('hex'), ...(await this.#seal(digest)) };
    await this.#store.putCheckpoint(checkpoint);
    summary.checkpoints.push(head.seq);
    return checkpoint;
  }
}
