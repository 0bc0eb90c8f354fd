/**
 * GET /v1/trust/root.pem and GET /v1/trust/crl[/{issuer}]: the public trust material. No login:
 * an auditor needs nothing but these (and the root only once) to validate any result offline.
 */
import { CRL_ISSUERS, type CrlIssuer } from '../../shared/seal/trust-publication.ts';
import { lambdaHandler } from '../lambda.ts';
import type { ApiDeps } from './deps.ts';
import { binary, withProblems } from './http.ts';
import { notFound } from './problem.ts';

// Revocation must reach validators quickly; the root changes only with a new hierarchy.
const CRL_CACHE = 'public, max-age=300';
const ROOT_CACHE = 'public, max-age=86400';

export const getRootCertificate = withProblems<ApiDeps>(async (_event, deps) =>
  binary(200, Buffer.from(await deps.trust.rootCertificatePem(), 'utf8'), 'application/x-pem-file', {
    'cache-control': ROOT_CACHE,
    'content-disposition': 'inline; filename="hanbeon-root-ca.pem"',
  }),
);

export const getCrl = withProblems<ApiDeps>(async (event, deps) => {
  // CRL distribution points in certificates name the file: /v1/trust/crl/seal-ca.crl.
  const issuer = (event.pathParameters?.issuer ?? 'seal-ca').replace(/\.crl$/, '');
  if (!(CRL_ISSUERS as readonly string[]).includes(issuer)) {
    throw notFound(`CRL '${issuer.slice(0, 64)}' (published CRLs: ${CRL_ISSUERS.join(', ')})`);
  }
  return binary(200, await deps.trust.crl(issuer as CrlIssuer), 'application/pkix-crl', {
    'cache-control': CRL_CACHE,
    'content-disposition': `inline; filename="hanbeon-${issuer}.crl"`,
  });
});

export const handler = lambdaHandler(async (event, deps) =>
  event.rawPath.endsWith('/root.pem') ? getRootCertificate(event, deps) : getCrl(event, deps),
);
