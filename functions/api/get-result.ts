/** GET /v1/petitions/{id}/result.pdf: the signed result (or rejection notice), for the petition's owner only. */
import { lambdaHandler } from '../lambda.ts';
import type { ApiDeps } from './deps.ts';
import { authenticate, binary, withProblems } from './http.ts';
import { notFound, PETITION_ID } from './problem.ts';

export const getResult = withProblems<ApiDeps>(async (event, deps) => {
  const identity = await authenticate(event, deps.verifyToken);
  const id = event.pathParameters?.id ?? '';
  if (!PETITION_ID.test(id)) throw notFound(`petition '${id.slice(0, 64)}'`);
  const petition = await deps.store.getPetition(id);
  // Someone else's petition is indistinguishable from none.
  if (!petition || petition.subject !== identity.subject) throw notFound(`petition '${id}'`);
  const artifact = await deps.store.getArtifact(id, 'signed-result');
  if (!artifact || artifact.kind !== 'signed-result') throw notFound(`a signed result of petition '${id}' (status ${petition.status}; it is signed when the petition is decided)`);
  const pdf = await deps.objects.get(artifact.objectKey);
  if (!pdf) throw new Error(`signed result of petition ${id} is recorded at ${artifact.objectKey} but missing from object storage`);
  return binary(200, pdf, 'application/pdf', {
    'cache-control': 'private, no-store',
    etag: `"${artifact.sha256}"`,
    'x-content-sha256': artifact.sha256,
    'content-disposition': `inline; filename="${artifact.document}-${id}.pdf"`,
  });
});

export const handler = lambdaHandler(getResult);
