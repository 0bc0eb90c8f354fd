/**
 * What each Task state of the petition workflow does, as plain async functions of small JSON.
 * Lambda handlers (functions/workflow) and the local runner call these same functions.
 */
import { auditEvents } from '../audit/events.ts';
import type { AuditRecorder } from '../audit/ports.ts';
import type { Catalog } from '../catalog/load.ts';
import type { EvidenceRequirement, PetitionType } from '../catalog/schema.ts';
import { ConsentMissingError, EvidenceIntegrityError, IdentityMismatchError, PetitionNotFoundError } from '../errors.ts';
import type { EvidenceSource } from '../evidence/ports.ts';
import { readVerifiedDocument } from '../evidence/verify-document.ts';
import { sha256Hex } from '../petition/digest.ts';
import { meetsAssurance, type Decision, type Petition, type PetitionStatus } from '../petition/model.ts';
import { decide } from '../petition/rules.ts';
import type { ObjectStore } from '../store/object-store.ts';
import type { PetitionStore } from '../store/ports.ts';
import type { PetitionOutcome } from './petition-events.ts';
import { journaledStep, recordedTransition } from './step-journal.ts';

export interface StepDeps {
  store: PetitionStore;
  objects: ObjectStore;
  evidence: EvidenceSource;
  catalog: Catalog;
  clock: () => Date;
  /** The audit trail (docs/adr/0008): status changes, retrievals, decisions, signatures. */
  audit: AuditRecorder;
  /**
   * Tells the addressed agencies and the citizen of an outcome (petition-events.ts), before the
   * status changes. Both composition roots set it; step tests that need no announcements omit it.
   */
  announce?: (petition: Petition, type: PetitionType, outcome: PetitionOutcome, status: PetitionStatus, round?: number) => Promise<void>;
}

export interface PetitionRef {
  petitionId: string;
}
export interface EvidenceItem extends PetitionRef {
  evidenceId: string;
}
export interface RetrievedEvidence {
  evidenceId: string;
  sha256: string;
}
/** The error a Catch hands on (`ResultPath: $.error`). */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

/**
 * The readable reason inside a Catch's Cause. On AWS, Lambda errors arrive as a JSON string with
 * errorType, errorMessage and a stack trace: only the message is kept, never the trace.
 */
const reasonOf = (error: CaughtError): { error: string; cause: string } => {
  const cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return { error: error.Error, cause: parsed.errorMessage };
  } catch {
    // Not JSON: locally the Cause is the message itself.
  }
  return { error: error.Error, cause };
};

const typeOf = (deps: StepDeps, petition: Petition): PetitionType => {
  const type = deps.catalog.petitionTypes.get(petition.type);
  if (!type) throw new PetitionNotFoundError(`petition '${petition.id}' has type '${petition.type}', which the catalog no longer has`);
  return type;
};

/**
 * Where a retrieved document is kept: content-addressed, so two overlapping fetches of the same
 * document never overwrite each other, and derived, so deciding needs no lookup to find it.
 */
export const evidenceObjectKey = (petitionId: string, evidenceId: string, sha256: string): string => `evidence/${petitionId}/${evidenceId}/${sha256}.jws`;

/** VerifyIdentity: the identity captured at submission meets the type's assurance level. */
export const verifyIdentity = (input: PetitionRef, deps: StepDeps) =>
  journaledStep(deps, { state: 'VerifyIdentity', status: 'VERIFYING_IDENTITY', input: { petitionId: input.petitionId } }, async (petition) => {
    const type = typeOf(deps, petition);
    if (petition.identity.subject !== petition.subject) {
      throw new IdentityMismatchError(`the verified identity is for another subject than the petition's applicant`);
    }
    if (!meetsAssurance(petition.identity.assuranceLevel, type.assuranceLevel)) {
      throw new IdentityMismatchError(
        `identity assurance level '${petition.identity.assuranceLevel}' is below the '${type.assuranceLevel}' that '${type.id}' requires`,
      );
    }
    // Announced here, once, rather than by each of the concurrent FetchEvidence iterations.
    await recordedTransition(deps, petition, type.evidence.length > 0 ? 'RETRIEVING_EVIDENCE' : 'DECIDING');
    return {
      evidenceIds: type.evidence.map((e) => e.id),
      requiresApplicantSeal: type.requiresApplicantSeal,
      // RequestReview's TimeoutSecondsPath (docs/adr/0006): present whenever the type can ask for review.
      ...(type.review ? { reviewDeadlineSeconds: Math.min(type.review.deadlineHours * 3600, MAX_REVIEW_WAIT_SECONDS) } : {}),
    };
  });

/**
 * The longest single review wait, in seconds: the longest timer the local runner can arm (2^31-1 ms,
 * 24.8 days; infra/local/callback-tasks.ts). A longer deadline escalates every 24.8 days instead, on
 * AWS as locally, so both behave alike.
 */
export const MAX_REVIEW_WAIT_SECONDS = 2_147_483;

const lookupKeyFor = (requirement: EvidenceRequirement, petition: Petition): string => {
  if (requirement.lookup === 'applicant') return petition.subject;
  const field = requirement.lookup.slice('field:'.length);
  return String(petition.fields[field]);
};

/** FetchEvidence: one required document, from its issuing agency, under the citizen's consent. */
export const fetchEvidence = (input: EvidenceItem, deps: StepDeps): Promise<RetrievedEvidence> =>
  journaledStep(deps, { state: 'FetchEvidence', input: { petitionId: input.petitionId, evidenceId: input.evidenceId }, label: input.evidenceId }, async (petition) => {
    const type = typeOf(deps, petition);
    const requirement = type.evidence.find((e) => e.id === input.evidenceId);
    if (!requirement) throw new PetitionNotFoundError(`petition type '${type.id}' requires no evidence '${input.evidenceId}'`);
    // No consent, no retrieval: checked here, at the moment of access, not only at submission.
    if (!petition.consent.documents.includes(requirement.id)) {
      throw new ConsentMissingError(`no consent covers '${requirement.id}' for petition '${petition.id}'`);
    }
    const document = await deps.evidence.fetch({
      agency: requirement.agency,
      documentType: requirement.documentType,
      subject: petition.subject,
      lookupKey: lookupKeyFor(requirement, petition),
      fields: requirement.fields,
      purpose: petition.id,
      consentedAt: petition.consent.grantedAt,
    });
    const body = new TextEncoder().encode(document.raw);
    const sha256 = sha256Hex(body);
    const objectKey = evidenceObjectKey(petition.id, requirement.id, sha256);
    await deps.objects.put(objectKey, body, 'application/jose');
    const recorded = await deps.store.putEvidence({
      petitionId: petition.id,
      evidenceId: requirement.id,
      subject: petition.subject,
      documentType: requirement.documentType,
      agency: requirement.agency,
      purpose: petition.id,
      consentedAt: petition.consent.grantedAt,
      retrievedAt: deps.clock().toISOString(),
      sha256,
      objectKey,
    });
    // The first record wins: if an overlapping duplicate of this step recorded first, use its document.
    await deps.audit.record(auditEvents.evidence(recorded, petition.type, petition.consent), { citizen: petition.subject });
    return { evidenceId: requirement.id, sha256: recorded.sha256 };
  });

/** Decide: the type's rules over the petition's fields and the documents retrieved for it. */
export const decidePetition = (input: PetitionRef & { evidence?: RetrievedEvidence[] }, deps: StepDeps): Promise<Decision> =>
  journaledStep(deps, { state: 'Decide', status: 'DECIDING', input: { petitionId: input.petitionId } }, async (petition) => {
    const type = typeOf(deps, petition);
    const evidence: Record<string, Record<string, unknown>> = {};
    for (const requirement of type.evidence) {
      const retrieved = input.evidence?.find((e) => e.evidenceId === requirement.id);
      const body = retrieved && (await deps.objects.get(evidenceObjectKey(petition.id, requirement.id, retrieved.sha256)));
      if (!retrieved || !body || sha256Hex(body) !== retrieved.sha256) {
        throw new EvidenceIntegrityError(`document '${requirement.id}' of petition '${petition.id}' is missing or does not match the digest recorded when it was retrieved`);
      }
      // The digest matched the one recorded when the issuer's signature was verified on receipt.
      evidence[requirement.id] = readVerifiedDocument(new TextDecoder().decode(body)).fields;
    }
    const decision = decide(type, { fields: petition.fields, evidence, applicant: { birthDate: petition.identity.birthDate } }, deps.clock());
    await deps.audit.record(auditEvents.decision(petition.id, decision, 'rules'));
    return decision;
  });

/**
 * A step that ends the workflow's work on the petition: it announces the outcome, then moves the
 * petition to `status`, recording why. In that order, so that a crash in between is replayed (the
 * petition is still active) and the announcement, idempotent, is found again rather than lost.
 */
const concludeStep = <I extends PetitionRef>(state: string, status: PetitionStatus, outcome: PetitionOutcome, patchOf: (input: I) => Pick<Partial<Petition>, 'decision' | 'failure'>) =>
  (input: I, deps: StepDeps) =>
    journaledStep(deps, { state, input: { petitionId: input.petitionId } }, async (petition) => {
      const type = deps.catalog.petitionTypes.get(petition.type);
      if (type && deps.announce) await deps.announce(petition, type, outcome, status);
      const updated = await recordedTransition(deps, petition, status, patchOf(input));
      return { status: updated.status };
    });

/** Complete: the petition was approved. (Seal, result PDF and delivery are appended by later steps.) */
export const completePetition = concludeStep<PetitionRef & { decision: Decision }>('Complete', 'COMPLETED', 'completed', (input) => ({ decision: input.decision }));


/** Reject: the rules rejected the petition, or a business check (no record, identity) did. */
export const rejectPetition = concludeStep<PetitionRef & { decision?: Decision; error?: CaughtError }>('Reject', 'REJECTED', 'rejected', (input) =>
  input.error !== undefined ? { failure: reasonOf(input.error) } : input.decision !== undefined ? { decision: input.decision } : {},
);

/** RecordFailure: the platform could not finish the petition; records which error and why. */
export const recordFailure = concludeStep<PetitionRef & { error?: CaughtError }>('RecordFailure', 'FAILED', 'failed', (input) => ({
  failure: reasonOf(input.error ?? { Error: 'Unknown' }),
}));
