/**
 * Petitions addressed to an agency, over HTTP:
 *
 * - GET  /v1/agency/petitions/{id}           status, decision, evidence list and result hash — for the
 *   type's handling agency and the agencies it notifies; the petition's fields for the handling agency only
 * - POST /v1/agency/petitions/{id}/decision  the handling agency's review decision → 202
 *
 * A petition not addressed to the calling agency is answered exactly like a missing one (404).
 */
import { z } from 'zod';
import { auditEvents } from '../../shared/audit/events.ts';
import type { AuditRecorder } from '../../shared/audit/ports.ts';
import type { PetitionType } from '../../shared/catalog/schema.ts';
import { describeIssues } from '../../shared/petition/fields.ts';
import type { Petition, PetitionArtifact } from '../../shared/petition/model.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { lambdaHandler } from '../lambda.ts';
import { authenticateAgency } from './agency-auth.ts';
import type { AgencyApiDeps } from './agency-deps.ts';
import { binary, byRoute, json, readJsonBody, withProblems, type ApiEvent } from './http.ts';
import { notFound, PETITION_ID, ProblemError } from './problem.ts';

const NO_STORE = { 'cache-control': 'no-store' };

export const MAX_REASON_LENGTH = 2000;

/** The reason is composed (NFC) before it is measured, so decomposed Hangul is not counted three times. */
const decisionRequest = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  reason: z
    .string()
    .transform((text) => text.normalize('NFC'))
    .pipe(
      z
        .string()
        .max(MAX_REASON_LENGTH)
        .refine((text) => text.trim().length > 0, 'must not be empty or blank'),
    ),
});

const validationProblem = (issues: { path: string; message: string }[]) =>
  new ProblemError('validation-failed', 'Validation failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { errors: issues });

type Role = 'handling' | 'notified';

/** How the agency stands to the petition's type, or undefined when the petition is none of its business. */
const roleOf = (agency: string, type: PetitionType | undefined): Role | undefined => {
  if (!type) return undefined;
  if (type.handlingAgency === agency) return 'handling';
  return type.notify.includes(agency) ? 'notified' : undefined;
};

const petitionIdOf = (event: ApiEvent): string => {
  const id = event.pathParameters?.id ?? '';
  if (!PETITION_ID.test(id)) throw notFound(`petition '${id.slice(0, 64)}'`);
  return id;
};

/** The petition when it is addressed to the agency in the given role (or better); otherwise the 404 a missing petition gets. */
const addressed = (id: string, agency: string, petition: Petition | undefined, deps: AgencyApiDeps): { petition: Petition; role: Role } => {
  const role = petition && roleOf(agency, deps.catalog.petitionTypes.get(petition.type));
  if (!petition || !role) throw notFound(`petition '${id}'`);
  return { petition, role };
};

const resultOf = (artifacts: PetitionArtifact[]) => {
  const signed = artifacts.find((a) => a.kind === 'signed-result');
  return signed?.kind === 'signed-result' ? { result: { document: signed.document, sha256: signed.sha256, sealedBy: signed.sealedBy, signedAt: signed.createdAt } } : {};
};

export const getAgencyPetition = withProblems<AgencyApiDeps & { audit: AuditRecorder }>(async (event, deps) => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  const id = petitionIdOf(event);
  const record = await deps.store.getPetitionRecord(id);
  const { petition, role } = addressed(id, agency, record.petition, deps);
  // Recorded before anything is handed out: the citizen sees every read (GET /v1/me/data-access).
  await deps.audit.record(auditEvents.access(petition.id, agency, 'petition', deps.clock()), { citizen: petition.subject });
  return json(
    200,
    {
      id: petition.id,
      type: petition.type,
      typeVersion: petition.typeVersion,
      role,
      status: petition.status,
      createdAt: petition.createdAt,
      updatedAt: petition.updatedAt,
      // Data minimisation: an agency that is only notified learns that the petition exists and how it
      // ended, not what the citizen wrote in it.
      ...(role === 'handling' ? { fields: petition.fields } : {}),
      ...(petition.decision ? { decision: petition.decision } : {}),
      evidence: record.evidence.map((e) => ({ id: e.evidenceId, documentType: e.documentType, agency: e.agency, retrievedAt: e.retrievedAt, sha256: e.sha256 })),
      ...resultOf(record.artifacts),
      links: { self: `/v1/agency/petitions/${petition.id}`, ...(role === 'handling' && petition.status === 'AWAITING_REVIEW' ? { decision: `/v1/agency/petitions/${petition.id}/decision` } : {}) },
    },
    NO_STORE,
  );
});

/** GET /v1/agency/petitions/{id}/result.pdf: the signed result, for every agency the petition is addressed to. */
export const getAgencyResult = withProblems<AgencyApiDeps & { objects: ObjectStore; audit: AuditRecorder }>(async (event, deps) => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  const id = petitionIdOf(event);
  const record = await deps.store.getPetitionRecord(id);
  const { petition } = addressed(id, agency, record.petition, deps);
  const signed = record.artifacts.find((a) => a.kind === 'signed-result');
  if (!signed) throw notFound(`a signed result of petition '${id}'`);
  const pdf = await deps.objects.get(signed.objectKey);
  if (!pdf) throw new Error(`signed result of petition ${id} is recorded at ${signed.objectKey} but missing from object storage`);
  await deps.audit.record(auditEvents.access(petition.id, agency, 'result', deps.clock()), { citizen: petition.subject });
  return binary(200, pdf, 'application/pdf', { ...NO_STORE, etag: `"${signed.sha256}"`, 'x-content-sha256': signed.sha256 });
});

export const decideReview = withProblems<AgencyApiDeps>(async (event, deps) => {
  const { agency } = await authenticateAgency(event, deps.agencyKeys);
  const id = petitionIdOf(event);
  const body = decisionRequest.safeParse(readJsonBody(event, deps.limits.maxBodyBytes));
  if (!body.success) throw validationProblem(describeIssues(body.error));

  const { petition, role } = addressed(id, agency, await deps.store.getPetition(id), deps);
  // Only the handling agency decides; to a notified agency the decision endpoint does not exist.
  if (role !== 'handling') throw notFound(`petition '${id}'`);
  if (petition.status !== 'AWAITING_REVIEW') {
    throw new ProblemError('review-not-pending', 'Review not pending', `petition '${id}' is ${petition.status}; expected AWAITING_REVIEW (a decision is taken only while the petition waits for one)`, { petitionStatus: petition.status });
  }

  const decidedAt = deps.clock().toISOString();
  const outcome = await deps.reviews.decide({ petitionId: id, outcome: body.data.decision, reason: body.data.reason, decidedBy: agency, decidedAt });
  // The status read above can be stale by the time the decision lands: the port has the last word.
  if (outcome === 'already-decided') {
    throw new ProblemError('review-not-pending', 'Review not pending', `petition '${id}' has already been decided; the first decision stands`);
  }
  const self = `/v1/agency/petitions/${id}`;
  return json(202, { id, decision: body.data.decision, decidedBy: agency, decidedAt, links: { self } }, { location: self, ...NO_STORE });
});

export const handler = lambdaHandler(byRoute({
  'GET /v1/agency/petitions/{id}': getAgencyPetition,
  'GET /v1/agency/petitions/{id}/result.pdf': getAgencyResult,
  'POST /v1/agency/petitions/{id}/decision': decideReview,
}));
