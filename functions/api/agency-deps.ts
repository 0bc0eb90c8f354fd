import type { Catalog } from '../../shared/catalog/load.ts';
import type { DeliveryLog, EndpointRegistry } from '../../shared/delivery/index.ts';
import type { AgencyKeyStore } from '../../shared/identity/agency-api-keys.ts';
import type { PetitionStore } from '../../shared/store/ports.ts';
import type { ApiLogger } from './http.ts';

/** A case officer's decision on a petition the rules sent to review, as the agency API hands it on. */
export interface ReviewDecision {
  petitionId: string;
  outcome: 'approve' | 'reject';
  /** Why, in the officer's words: 1 to 2000 characters, NFC. Shown to the citizen. */
  reason: string;
  /** The agency that decided (the petition type's handling agency). */
  decidedBy: string;
  decidedAt: string;
}

/**
 * Completes a petition's wait for review (locally the recorded wait, in AWS SendTaskSuccess with the
 * stored task token). `'already-decided'` when a decision was taken before — the first one wins.
 */
export interface ReviewDecisions {
  decide(decision: ReviewDecision): Promise<'accepted' | 'already-decided'>;
}

/** What the agency-facing handlers need; built once per process by a composition root (AWS or local). */
export interface AgencyApiDeps {
  catalog: Catalog;
  store: PetitionStore;
  agencyKeys: AgencyKeyStore;
  /** Webhook endpoints of each agency (register, list, delete, rotate), over the DeliveryStore. */
  endpoints: EndpointRegistry;
  /** Each agency's deliveries and their replay, over the DeliveryStore. */
  deliveryLog: DeliveryLog;
  reviews: ReviewDecisions;
  clock: () => Date;
  logger: ApiLogger;
  limits: { maxBodyBytes: number };
}
