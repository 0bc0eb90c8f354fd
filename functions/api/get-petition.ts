/** GET /v1/petitions/{id}: status, decision, evidence used and the timeline — for the petition's owner only. */
import type { PetitionArtifact } from '../../shared/petition/model.ts';
import { lambdaHandler } from '../lambda.ts';
import type { ApiDeps } from './deps.ts';
import { authenticate, json, withProblems } from './http.ts';
import { notFound, PETITION_ID } from './problem.ts';

/** Where the signed result is and what it hashes to; the seal certificate's serial when there is one. */
const resultOf = (id: string, artifacts: PetitionArtifact[]) => {
  const out: Record<string, unknown> = {};
  for (const artifact of artifacts) {
    if (artifact.kind === 'signed-result') out.result = { document: artifact.document, sha256: artifact.sha256, sealedBy: artifact.sealedBy, signedAt: artifact.createdAt, href: `/v1/petitions/${id}/result.pdf` };
    if (artifact.kind === 'applicant-seal') out.applicantSeal = { serialNumber: artifact.serialNumber, notAfter: artifact.notAfter, issuedAt: artifact.createdAt };
  }
  return out;
};

export const getPetition = withProblems<ApiDeps>(async (event, deps) => {
  const identity = await authenticate(event, deps.verifyToken);
  const id = event.pathParameters?.id ?? '';
  // Malformed ids never reach the store; another citizen's petition is indistinguishable from none.
  if (!PETITION_ID.test(id)) throw notFound(`petition '${id.slice(0, 64)}'`);
  const { petition, timeline, evidence, artifacts } = await deps.store.getPetitionRecord(id);
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
      ...resultOf(petition.id, artifacts),
      timeline,
    },
    { 'cache-control': 'no-store' },
  );
});

export const handler = lambdaHandler(getPetition);
