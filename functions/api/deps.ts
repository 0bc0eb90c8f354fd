import type { AuditReader, AuditRecorder } from '../../shared/audit/ports.ts';
import type { Catalog } from '../../shared/catalog/load.ts';
import type { VerifiedIdentity } from '../../shared/petition/model.ts';
import type { TrustPublication } from '../../shared/seal/trust-publication.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { PetitionStore } from '../../shared/store/ports.ts';
import type { WorkflowStarter } from '../../shared/workflow/ports.ts';
import type { AgencyApiDeps } from './agency-deps.ts';
import type { ApiLogger } from './http.ts';

/**
 * What API handlers need; built once per process by a composition root (AWS or local). The
 * agency-facing handlers need a part of it (AgencyApiDeps); one object serves both.
 */
export interface ApiDeps extends AgencyApiDeps {
  mode: 'local' | 'aws';
  catalog: Catalog;
  store: PetitionStore;
  /** Signed results and other documents (S3; a directory locally). */
  objects: ObjectStore;
  /** The root certificate and CRLs, published for offline validation. */
  trust: TrustPublication;
  verifyToken: (token: string) => Promise<VerifiedIdentity>;
  workflow: WorkflowStarter;
  /** The audit trail: agencies' reads are recorded in it, and citizens read their data-access log from it. */
  audit: AuditRecorder & AuditReader;
  clock: () => Date;
  logger: ApiLogger;
  limits: { maxBodyBytes: number; idempotencyTtlHours: number; /** GET …/events waits this long for a change. @default 8000 */ eventWaitMs?: number };
}
