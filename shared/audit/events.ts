/**
 * What the audit trail records (docs/adr/0008): status changes, evidence retrievals with their
 * consent, decisions, signatures, webhook deliveries and agencies' reads. Each event has an id
 * derived from the fact it states, so recording it again — a replayed step, a retried Lambda —
 * finds the same id and writes nothing. No personal data: ids, statuses, agency ids, document
 * types, digests and times only; never names, birth dates, resident numbers or field values.
 */
import { randomBytes } from 'node:crypto';
import { canonicalDigest } from '../petition/digest.ts';
import type { ConsentGrant, EvidenceRecord, PetitionArtifact, PetitionStatus } from '../petition/model.ts';

interface EventBase {
  /** Deterministic for the fact (e.g. `status:<petition>:<status>`): first writer wins. */
  id: string;
  /** When it happened, ISO time, by the clock of the component that recorded it. */
  at: string;
}

export interface StatusEvent extends EventBase {
  kind: 'status';
  petitionId: string;
  status: PetitionStatus;
}

/** The consent a retrieval relied on: when it was given and the digest of the grant (documents and time). */
export interface ConsentReference {
  grantedAt: string;
  /** SHA-256 of the grant's RFC 8785 form: anyone holding the petition recomputes it. */
  digest: string;
}

export interface EvidenceEvent extends EventBase {
  kind: 'evidence';
  petitionId: string;
  petitionType: string;
  evidenceId: string;
  documentType: string;
  /** The issuing agency the document was retrieved from. */
  agency: string;
  consent: ConsentReference;
  /** SHA-256 of the document as retrieved. */
  sha256: string;
}

export interface DecisionEvent extends EventBase {
  kind: 'decision';
  petitionId: string;
  /** `rules` (the type's rules) or `agency:<id>` (a case officer of that agency). */
  decidedBy: 'rules' | `agency:${string}`;
  outcome: 'approve' | 'reject' | 'review';
  /** The rules that gave the reasons (`case-officer` for a reviewer's decision); never the reason's text. */
  ruleIds: string[];
}

export interface SignatureEvent extends EventBase {
  kind: 'signature';
  petitionId: string;
  document: 'applicant-seal' | 'result' | 'rejection-notice';
  /** `platform` (applicant seal certificates) or `agency:<id>` (the agency's seal on a result). */
  signedBy: 'platform' | `agency:${string}`;
  /** SHA-256 of the signed artefact (certificate DER or PDF). */
  sha256: string;
  /** Hex serial number of an applicant seal certificate. */
  serialNumber?: string;
}

export interface DeliveryEvent extends EventBase {
  kind: 'delivery';
  webhookId: string;
  /** 1 for the first series of attempts, +1 per replay: a replay delivered again is a new fact. */
  series: number;
  outcome: 'delivered' | 'dead-lettered';
  agency: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  attempts: number;
  /** The petition the webhook was about, when it was about one. */
  petitionId?: string;
}

export interface AccessEvent extends EventBase {
  kind: 'access';
  petitionId: string;
  /** The agency that read. */
  agency: string;
  resource: 'petition' | 'result';
}

export type AuditEvent = StatusEvent | EvidenceEvent | DecisionEvent | SignatureEvent | DeliveryEvent | AccessEvent;
export type AuditEventKind = AuditEvent['kind'];

/** The petition an event belongs to (its per-petition chain), if any. */
export const petitionOf = (event: AuditEvent): string | undefined => ('petitionId' in event ? event.petitionId : undefined);

/** The reference a retrieval records for the consent it relied on. */
export const consentReference = (consent: ConsentGrant): ConsentReference => ({ grantedAt: consent.grantedAt, digest: canonicalDigest(consent) });

/** Builders: the one place event ids are spelled. */
export const auditEvents = {
  /** The petition moved (or is about to move, in the same step) to `status`. */
  status: (petitionId: string, status: PetitionStatus, at: Date | string): StatusEvent => ({
    kind: 'status',
    id: `status:${petitionId}:${status}`,
    at: iso(at),
    petitionId,
    status,
  }),

  /** A document retrieved from its issuing agency, as recorded (the first record of it wins). */
  evidence: (record: EvidenceRecord, petitionType: string, consent: ConsentGrant): EvidenceEvent => ({
    kind: 'evidence',
    id: `evidence:${record.petitionId}:${record.evidenceId}`,
    at: record.retrievedAt,
    petitionId: record.petitionId,
    petitionType,
    evidenceId: record.evidenceId,
    documentType: record.documentType,
    agency: record.agency,
    consent: consentReference(consent),
    sha256: record.sha256,
  }),

  /** A decision by the rules or by a case officer; one of each per petition. */
  decision: (petitionId: string, decision: { outcome: DecisionEvent['outcome']; reasons: { ruleId: string }[]; decidedAt: string }, decidedBy: DecisionEvent['decidedBy']): DecisionEvent => ({
    kind: 'decision',
    id: `decision:${petitionId}:${decidedBy === 'rules' ? 'rules' : 'case-officer'}`,
    at: decision.decidedAt,
    petitionId,
    decidedBy,
    outcome: decision.outcome,
    ruleIds: decision.reasons.map((r) => r.ruleId),
  }),

  /** A signed artefact, as recorded (so a replay that lost the race records the winner's). */
  signature: (artifact: PetitionArtifact): SignatureEvent => {
    const document = artifact.kind === 'applicant-seal' ? 'applicant-seal' : artifact.document;
    return {
      kind: 'signature',
      id: `signature:${artifact.petitionId}:${document}`,
      at: artifact.createdAt,
      petitionId: artifact.petitionId,
      document,
      signedBy: artifact.kind === 'applicant-seal' ? 'platform' : `agency:${artifact.sealedBy}`,
      sha256: artifact.sha256,
      ...(artifact.kind === 'applicant-seal' ? { serialNumber: artifact.serialNumber } : {}),
    };
  },

  /** A webhook delivered, or given up on, in one series of attempts. */
  delivery: (
    delivery: { webhookId: string; series: number; agency: string; endpointId: string; eventId: string; eventType: string; body: string },
    outcome: DeliveryEvent['outcome'],
    attempts: number,
    at: Date | string,
  ): DeliveryEvent => {
    const petitionId = petitionIdInBody(delivery.body);
    return {
      kind: 'delivery',
      id: `delivery:${delivery.webhookId}:${delivery.series}:${outcome}`,
      at: iso(at),
      webhookId: delivery.webhookId,
      series: delivery.series,
      outcome,
      agency: delivery.agency,
      endpointId: delivery.endpointId,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      attempts,
      ...(petitionId ? { petitionId } : {}),
    };
  },

  /** An agency read a petition or its result. Each read is its own fact: the id carries a nonce. */
  access: (petitionId: string, agency: string, resource: AccessEvent['resource'], at: Date | string): AccessEvent => ({
    kind: 'access',
    id: `access:${petitionId}:${agency}:${resource}:${iso(at)}:${randomBytes(6).toString('hex')}`,
    at: iso(at),
    petitionId,
    agency,
    resource,
  }),
};

const iso = (at: Date | string): string => (typeof at === 'string' ? at : at.toISOString());

/** The petition a webhook body names (`data.petitionId` of `petition.*` events), if any. */
const petitionIdInBody = (body: string): string | undefined => {
  try {
    const parsed = JSON.parse(body) as { data?: { petitionId?: unknown } };
    return typeof parsed.data?.petitionId === 'string' ? parsed.data.petitionId : undefined;
  } catch {
    return undefined;
  }
};
