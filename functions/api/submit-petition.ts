/** POST /v1/petitions: validate against the petition type, claim the idempotency key, start the workflow. */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { describeIssues, fieldsSchema } from '../../shared/petition/fields.ts';
import { canonicalDigest } from '../../shared/petition/digest.ts';
import type { Petition, VerifiedIdentity } from '../../shared/petition/model.ts';
import { lambdaHandler } from '../lambda.ts';
import type { ApiDeps } from './deps.ts';
import { authenticate, header, json, readJsonBody, withProblems, type ApiEvent } from './http.ts';
import { ProblemError } from './problem.ts';
import { submitPetitionRequest } from './schemas.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const validationProblem = (issues: { path: string; message: string }[]) =>
  new ProblemError('validation-failed', 'Validation failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { errors: issues });

const prefixIssues = (prefix: string, error: z.ZodError) => describeIssues(error).map((i) => ({ ...i, path: i.path ? `${prefix}.${i.path}` : prefix }));

/** Parses and checks the body against the envelope, the petition type and the consent it needs. */
function parseSubmission(body: unknown, deps: ApiDeps) {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && !('consent' in body)) {
    throw new ProblemError('consent-missing', 'Consent missing', 'the body has no "consent": the citizen must consent to the retrieval of each required document');
  }
  const envelope = submitPetitionRequest.safeParse(body);
  if (!envelope.success) throw validationProblem(describeIssues(envelope.error));
  const { type: typeId, fields, consent } = envelope.data;

  const type = deps.catalog.petitionTypes.get(typeId);
  if (!type) {
    throw new ProblemError('unknown-petition-type', 'Unknown petition type', `no petition type '${typeId}'; known types: ${[...deps.catalog.petitionTypes.keys()].join(', ')}`);
  }
  const parsedFields = fieldsSchema(type).safeParse(fields);
  if (!parsedFields.success) throw validationProblem(prefixIssues('fields', parsedFields.error));

  const required = type.evidence.map((e) => e.id);
  const unknown = consent.documents.filter((id) => !required.includes(id));
  if (unknown.length > 0) {
    throw validationProblem(unknown.map((id) => ({ path: 'consent.documents', message: `'${id}' is not a document '${type.id}' requires (expected one of ${required.join(', ')})` })));
  }
  const missing = type.evidence.filter((e) => !consent.documents.includes(e.id));
  if (missing.length > 0) {
    throw new ProblemError(
      'consent-missing',
      'Consent missing',
      `consent is missing for ${missing.map((e) => `'${e.id}' (${e.name.en}, from ${e.agency})`).join(', ')}`,
      { missing: missing.map((e) => e.id) },
    );
  }
  return { type, fields: parsedFields.data as Record<string, unknown>, documents: [...new Set(consent.documents)].sort() };
}

const idempotencyKeyOf = (event: ApiEvent): string => {
  const key = header(event, 'idempotency-key');
  if (key === undefined || key === '') {
    throw new ProblemError('idempotency-key-missing', 'Idempotency-Key missing', 'an Idempotency-Key header is required so that a retried submission never makes a second petition');
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ProblemError('idempotency-key-invalid', 'Idempotency-Key invalid', 'the Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good choice)');
  }
  return key;
};

const accepted = (petition: Pick<Petition, 'id' | 'status'>) =>
  json(202, { id: petition.id, status: petition.status, links: { self: `/v1/petitions/${petition.id}` } }, { location: `/v1/petitions/${petition.id}`, 'cache-control': 'no-store' });

export const submitPetition = withProblems<ApiDeps>(async (event, deps) => {
  const identity: VerifiedIdentity = await authenticate(event, deps.verifyToken);
  const key = idempotencyKeyOf(event);
  const submission = parseSubmission(readJsonBody(event, deps.limits.maxBodyBytes), deps);
  const requestHash = canonicalDigest({ type: submission.type.id, fields: submission.fields, documents: submission.documents });

  const now = deps.clock();
  const newPetitionId = randomUUID();
  const claim = await deps.store.claimIdempotencyKey({
    subject: identity.subject,
    key,
    requestHash,
    petitionId: newPetitionId,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + deps.limits.idempotencyTtlHours * 3600,
  });
  if (!claim.claimed && claim.existing.requestHash !== requestHash) {
    throw new ProblemError('idempotency-key-reused', 'Idempotency-Key reused', 'this Idempotency-Key was already used for a different request; use a new key for a new petition');
  }
  const petitionId = claim.claimed ? newPetitionId : claim.existing.petitionId;

  // The key's holder creates the petition. A duplicate that finds no petition (the first request
  // died between claim and create) finishes the job: creation is conditional, so only one lands.
  let petition = claim.claimed ? undefined : await deps.store.getPetition(petitionId);
  if (!petition) {
    const created: Petition = {
      id: petitionId,
      type: submission.type.id,
      typeVersion: submission.type.version,
      subject: identity.subject,
      fields: submission.fields,
      identity,
      consent: { documents: submission.documents, grantedAt: now.toISOString() },
      status: 'RECEIVED',
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    try {
      await deps.store.createPetition(created);
      petition = created;
    } catch (error) {
      petition = await deps.store.getPetition(petitionId);
      if (!petition) throw error;
    }
  }
  // Starting is idempotent by petition id, so a duplicate also heals a start that never happened.
  await deps.workflow.start(petitionId);
  return accepted(petition);
});

export const handler = lambdaHandler(submitPetition);
