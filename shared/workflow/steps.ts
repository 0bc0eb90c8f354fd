/**
 * What each Task state of the petition workflow does, as plain async functions of small JSON.
 * Lambda handlers (functions/workflow) and the local runner call these same functions.
 */
import type { JSONWebKeySet } from 'jose';
import type { Catalog } from '../catalog/load.ts';
import type { EvidenceRequirement, PetitionType } from '../catalog/schema.ts';
import { ConsentMissingError, IdentityMismatchError, PetitionNotFoundError } from '../errors.ts';
import type { EvidenceSource } from '../evidence/ports.ts';
import { verifyIssuedDocument } from '../evidence/verify-document.ts';
import { sha256Hex } from '../petition/digest.ts';
import { meetsAssurance, type Decision, type Petition } from '../petition/model.ts';
import { decide } from '../petition/rules.ts';
import type { ObjectStore } from '../store/object-store.ts';
import type { PetitionStore } from '../store/ports.ts';
import { journaledStep } from './step-journal.ts';

export interface StepDeps {
  store: PetitionStore;
  objects: ObjectStore;
  evidence: EvidenceSource;
  catalog: Catalog;
  /** The issuing agency's published keys, to re-check a stored document before deciding on it. */
  agencyKeys: (agencyId: string) => Promise<JSONWebKeySet>;
  clock: () => Date;
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

const loadPetition = async (deps: StepDeps, petitionId: string): Promise<{ petition: Petition; type: PetitionType }> => {
  const petition = await deps.store.getPetition(petitionId);
  if (!petition) throw new PetitionNotFoundError(`no petition with id '${petitionId}'`);
  const type = deps.catalog.petitionTypes.get(petition.type);
  if (!type) throw new PetitionNotFoundError(`petition '${petitionId}' has type '${petition.type}', which the catalog no longer has`);
  return { petition, type };
};

/** VerifyIdentity: the identity captured at submission meets the type's assurance level. */
export const verifyIdentity = (input: PetitionRef, deps: StepDeps) =>
  journaledStep(deps, 'VerifyIdentity', 'VERIFYING_IDENTITY', { petitionId: input.petitionId }, async () => {
    const { petition, type } = await loadPetition(deps, input.petitionId);
    if (petition.identity.subject !== petition.subject) {
      throw new IdentityMismatchError(`the verified identity is for another subject than the petition's applicant`);
    }
    if (!meetsAssurance(petition.identity.assuranceLevel, type.assuranceLevel)) {
      throw new IdentityMismatchError(
        `identity assurance level '${petition.identity.assuranceLevel}' is below the '${type.assuranceLevel}' that '${type.id}' requires`,
      );
    }
    return { evidenceIds: type.evidence.map((e) => e.id) };
  });

const lookupKeyFor = (requirement: EvidenceRequirement, petition: Petition): string => {
  const lookup = requirement.lookup ?? 'applicant';
  if (lookup === 'applicant') return petition.subject;
  const field = lookup.slice('field:'.length);
  return String(petition.fields[field]);
};

/** FetchEvidence: one required document, from its issuing agency, under the citizen's consent. */
export const fetchEvidence = (input: EvidenceItem, deps: StepDeps): Promise<RetrievedEvidence> =>
  journaledStep(deps, 'FetchEvidence', 'RETRIEVING_EVIDENCE', { petitionId: input.petitionId, evidenceId: input.evidenceId }, async () => {
    const { petition, type } = await loadPetition(deps, input.petitionId);
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
    const objectKey = `evidence/${petition.id}/${requirement.id}.jws`;
    await deps.objects.put(objectKey, body, 'application/jose');
    await deps.store.putEvidence({
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
    return { evidenceId: requirement.id, sha256 };
  }, input.evidenceId);

/** Decide: the type's rules over the petition's fields and the documents retrieved for it. */
export const decidePetition = (input: PetitionRef, deps: StepDeps): Promise<Decision> =>
  journaledStep(deps, 'Decide', 'DECIDING', { petitionId: input.petitionId }, async () => {
    const { petition, type } = await loadPetition(deps, input.petitionId);
    const records = await deps.store.listEvidence(petition.id);
    const evidence: Record<string, Record<string, unknown>> = {};
    for (const record of records) {
      const body = await deps.objects.get(record.objectKey);
      if (!body || sha256Hex(body) !== record.sha256) {
        throw new PetitionNotFoundError(`stored document '${record.evidenceId}' of petition '${petition.id}' is missing or altered`);
      }
      // Re-verified before use: a stored document is only trusted with its issuer's signature.
      const payload = await verifyIssuedDocument(new TextDecoder().decode(body), await deps.agencyKeys(record.agency));
      evidence[record.evidenceId] = payload.fields;
    }
    return decide(type, { fields: petition.fields, evidence, applicant: { birthDate: petition.identity.birthDate } }, deps.clock());
  });

/** Complete: the petition was approved. (Seal, result PDF and delivery are appended by later steps.) */
export const completePetition = (input: PetitionRef & { decision: Decision }, deps: StepDeps) =>
  journaledStep(deps, 'Complete', undefined, { petitionId: input.petitionId }, async () => {
    const petition = await deps.store.transition(input.petitionId, 'COMPLETED', { decision: input.decision });
    return { status: petition.status };
  });

/** RequestReview: the rules asked for a case officer; the petition waits in AWAITING_REVIEW. */
export const requestReview = (input: PetitionRef & { decision: Decision }, deps: StepDeps) =>
  journaledStep(deps, 'RequestReview', undefined, { petitionId: input.petitionId }, async () => {
    const petition = await deps.store.transition(input.petitionId, 'AWAITING_REVIEW', { decision: input.decision });
    return { status: petition.status };
  });

/** Reject: the rules rejected the petition, or a business check (no record, identity) did. */
export const rejectPetition = (input: PetitionRef & { decision?: Decision; error?: CaughtError }, deps: StepDeps) =>
  journaledStep(deps, 'Reject', undefined, { petitionId: input.petitionId }, async () => {
    const patch =
      input.error !== undefined
        ? { failure: reasonOf(input.error) }
        : input.decision !== undefined
          ? { decision: input.decision }
          : {};
    const petition = await deps.store.transition(input.petitionId, 'REJECTED', patch);
    return { status: petition.status };
  });

/** RecordFailure: the platform could not finish the petition; records which error and why. */
export const recordFailure = (input: PetitionRef & { error?: CaughtError }, deps: StepDeps) =>
  journaledStep(deps, 'RecordFailure', undefined, { petitionId: input.petitionId }, async () => {
    const failure = reasonOf(input.error ?? { Error: 'Unknown' });
    const petition = await deps.store.transition(input.petitionId, 'FAILED', { failure });
    return { status: petition.status };
  });
