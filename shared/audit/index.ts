/** The hash-chained audit trail (docs/adr/0008, docs/audit.md). */
export { auditEvents, consentReference, petitionOf, type AuditEvent, type AuditEventKind, type AccessEvent, type EvidenceEvent } from './events.ts';
export { GENESIS_HASH, checkpointDigest, linkRecord, recordHash, type ChainedRecord, type ChainHead, type Checkpoint } from './chain.ts';
export type { AuditChainStore, AuditReader, AuditRecorder, CitizenAccessEntry, RecordOptions } from './ports.ts';
export { AuditChainer, ChainHeadMovedError, type AuditChainerOptions, type ChainRunSummary, type CheckpointSealer } from './chainer.ts';
export { pkiCheckpointSealer } from './checkpoint-sealer.ts';
export { EXPORT_FORMAT, exportAuditTrail } from './export-format.ts';
export { AuditExportUnreadableError, verifyAuditExport, type AuditVerification, type ChainProblem } from './verify.ts';
