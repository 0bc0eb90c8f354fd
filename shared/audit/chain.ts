/**
 * The hash chain itself: how a record is linked to the one before it (globally, and within its
 * petition) and what a checkpoint seals. Pure functions of JSON, shared by the chainer that builds
 * the chain and the verifier that checks an exported copy offline.
 */
import canonicalize from 'canonicalize';
import { sha256Hex } from '../petition/digest.ts';
import { petitionOf, type AuditEvent } from './events.ts';

/** prevHash of the first record (and petitionPrevHash of a petition's first record). */
export const GENESIS_HASH = '0'.repeat(64);

/** Where a record sits: its global position and, when it belongs to a petition, its position in that petition's chain. */
export interface ChainLink {
  /** 1, 2, 3 … without gaps. */
  seq: number;
  /** `hash` of record seq - 1 (GENESIS_HASH for seq 1). */
  prevHash: string;
  /** 1, 2, 3 … within the petition. */
  petitionSeq?: number;
  /** `hash` of the petition's previous record (GENESIS_HASH for its first). */
  petitionPrevHash?: string;
}

/** A record in the chain: the event, its links and the hash over both. */
export interface ChainedRecord extends ChainLink {
  /** SHA-256 (hex) of the RFC 8785 form of { seq, prevHash, petitionSeq?, petitionPrevHash?, record }. */
  hash: string;
  record: AuditEvent;
}

/** The hash a record at `link` must carry: both chains' links are inside it, so neither can be rewired unnoticed. */
export const recordHash = (link: ChainLink, record: AuditEvent): string =>
  sha256Hex(
    canonicalize({
      seq: link.seq,
      prevHash: link.prevHash,
      ...(link.petitionSeq === undefined ? {} : { petitionSeq: link.petitionSeq, petitionPrevHash: link.petitionPrevHash }),
      record,
    })!,
  );

/** The end of a chain: how long it is and the hash of its last record. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** Appends `record` after `head` (and after `petitionHead` in its petition's chain). */
export const linkRecord = (head: ChainHead, petitionHead: ChainHead | undefined, record: AuditEvent): ChainedRecord => {
  const inPetition = petitionOf(record) !== undefined;
  const link: ChainLink = {
    seq: head.seq + 1,
    prevHash: head.hash,
    ...(inPetition ? { petitionSeq: (petitionHead?.seq ?? 0) + 1, petitionPrevHash: petitionHead?.hash ?? GENESIS_HASH } : {}),
  };
  return { ...link, hash: recordHash(link, record), record };
};

/** What a checkpoint asserts: the chain had `seq` records ending in `hash` at `at`. */
export interface CheckpointStatement {
  seq: number;
  hash: string;
  at: string;
}

/** A checkpoint sealed by the platform seal and timestamped by the TSA (all binary values base64). */
export interface Checkpoint extends CheckpointStatement {
  /** SHA-256 (hex) of the statement: what was signed and timestamped. */
  digest: string;
  /** DER ECDSA-Sig-Value by the platform seal's key over `digest`. */
  signature: string;
  /** DER X.509 certificate of the platform seal that signed. */
  certificate: string;
  /** DER certificates from the seal's issuer up to the root, nearest first. */
  chain: string[];
  /** DER RFC 3161 TimeStampToken whose messageImprint is `digest`. */
  timestampToken: string;
}

const CHECKPOINT_FORMAT = 'hanbeon-audit-checkpoint/1';

/** The bytes a checkpoint signs (RFC 8785 JSON, with a format label so it never reads as a record). */
export const checkpointMessage = (statement: CheckpointStatement): string =>
  canonicalize({ format: CHECKPOINT_FORMAT, seq: statement.seq, hash: statement.hash, at: statement.at })!;

/** The 32-byte digest a checkpoint's signature and timestamp cover: SHA-256 of checkpointMessage. */
export const checkpointDigest = (statement: CheckpointStatement): Uint8Array => Buffer.from(sha256Hex(checkpointMessage(statement)), 'hex');
