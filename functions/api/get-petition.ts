/** GET /v1/petitions/{id}: status, decision, evidence used and the timeline — for the petition's owner only. */
import { lambdaHandler } from '../lambda.ts';
import type { ApiDeps } from './deps.ts';
import { authenticate, json, withProblems } from './http.ts';
import { notFound } from './problem.ts';

const PETITION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const getPetition = withProblems<ApiDeps>(async (event, deps) => {
  const identity = await authenticate(event, deps.verifyToken);
  const id = event.pathParameters?.id ?? '';
  // Malformed ids never reach the store; another citizen's petition is indistinguishable from none.
  if (!PETITION_ID.test(id)) throw notFound(`petition '${id.slice(0, 64)}'`);
  const { petition, timeline, evidence } = await deps.store.getPetitionRecord(id);
  if (!petition || petition.subject !== identity.subject) throw notFound(`petition '${id}'`);
  return json(
    200,
    {
      id: petition.id,
      type: petition.type,
      status: petition.status,
      createdAt: petition.createdAt,
      updatedAt: petition.updatedAt,
      fields: petition.fields,
      ...(petition.decision ? { decision: petition.decision } : {}),
      ...(petition.failure ? { failure: petition.failure } : {}),
      evidence: evidence.map((e) => ({ id: e.evidenceId, documentType: e.documentType, agency: e.agency, retrievedAt: e.retrievedAt, sha256: e.sha256, consentedAt: e.consentedAt })),
      timeline,
    },
    { 'cache-control': 'no-store' },
  );
});

export const handler = lambdaHandler(getPetition);
