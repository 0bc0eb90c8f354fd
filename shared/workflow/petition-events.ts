/**
 * What the workflow tells the outside world when a petition reaches an outcome: one outbox event per
 * agency the petition is addressed to (its handling agency and those the type notifies), and one
 * notification to the citizen. Announced *before* the status changes and keyed by (petition,
 * outcome, agency): a crash in between replays the step, and the replay finds the same events, so
 * nothing is lost and nothing is announced twice. A thin payload names the petition and its signed
 * result, never personal data.
 */
import type { PetitionType } from '../catalog/schema.ts';
import { outboxEvent, type DeliveryStore, type EventType } from '../delivery/index.ts';
import type { Petition, PetitionStatus } from '../petition/model.ts';
import type { PetitionStore } from '../store/ports.ts';

export type PetitionOutcome = 'completed' | 'rejected' | 'review_requested' | 'failed';

type PetitionEventType = Exclude<EventType, 'delivery.dead_lettered'>;
const EVENT_OF: Record<PetitionOutcome, PetitionEventType> = {
  completed: 'petition.completed',
  rejected: 'petition.rejected',
  review_requested: 'petition.review_requested',
  failed: 'petition.failed',
};

/** A status change as the citizen is told of it (no personal data: ids and statuses only). */
export interface CitizenNotification {
  petitionId: string;
  subject: string;
  status: PetitionStatus;
  outcome: PetitionOutcome;
  at: string;
}

/** Tells the citizen (locally: a log file; in production an SMS/e-mail/app push gateway). */
export interface CitizenNotifier {
  notify(notification: CitizenNotification): Promise<void>;
}

export interface AnnouncementDeps {
  deliveries: DeliveryStore;
  store: PetitionStore;
  notifier: CitizenNotifier;
  publicBaseUrl: string;
  clock: () => Date;
  /** Wakes the delivery worker (locally the loop; on AWS a queue message). */
  wakeDelivery?: () => void | Promise<void>;
}

/** The agencies a petition of `type` is addressed to: its handling agency first, then those it notifies. */
export const addressedAgencies = (type: PetitionType): string[] => [...new Set([type.handlingAgency, ...type.notify])];

/**
 * Enqueues the outcome for every addressed agency and notifies the citizen; idempotent per (petition,
 * outcome, round). `round` numbers a repeated announcement — a review request sent again when its
 * deadline passed (escalation) — so that it is a new event rather than a duplicate of the first.
 */
export async function announceOutcome(deps: AnnouncementDeps, petition: Petition, type: PetitionType, outcome: PetitionOutcome, status: PetitionStatus, round = 0): Promise<void> {
  const signed = outcome === 'review_requested' ? undefined : await deps.store.getArtifact(petition.id, 'signed-result');
  const at = deps.clock().toISOString();
  for (const agency of addressedAgencies(type)) {
    await deps.deliveries.enqueueEvent(
      outboxEvent(`petition:${petition.id}:${outcome}:${agency}${round > 0 ? `:${round}` : ''}`, {
        type: EVENT_OF[outcome] as 'petition.completed', // one member of the union; the schema checks the pair
        timestamp: at,
        data: {
          petitionId: petition.id,
          agency,
          outcome,
          ...(signed ? { resultUrl: `${deps.publicBaseUrl}/v1/agency/petitions/${petition.id}/result.pdf`, resultSha256: signed.sha256 } : {}),
        },
      }),
    );
  }
  await deps.notifier.notify({ petitionId: petition.id, subject: petition.subject, status, outcome, at });
  await deps.wakeDelivery?.();
}
