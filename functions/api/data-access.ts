/**
 * GET /v1/me/data-access: who retrieved which of my documents, from which agency, for which
 * petition, when and under which consent — and which agency read my petitions or their results.
 * The citizen's view of the audit trail (docs/adr/0008): read from the audit records indexed under
 * the caller's subject, so only their own petitions' records can appear. Newest first, by cursor.
 */
import { z } from 'zod';
import type { AccessEvent, EvidenceEvent } from '../../shared/audit/events.ts';
import type { CitizenAccessEntry } from '../../shared/audit/ports.ts';
import type { Catalog } from '../../shared/catalog/load.ts';
import { describeIssues } from '../../shared/petition/fields.ts';
import { InvalidCursorError } from '../../shared/store/page-cursor.ts';
import { lambdaHandler } from '../lambda.ts';
import type { ApiDeps } from './deps.ts';
import { authenticate, json, withProblems } from './http.ts';
import { ProblemError } from './problem.ts';

const query = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(2048).optional(),
});

const validationProblem = (issues: { path: string; message: string }[]) =>
  new ProblemError('validation-failed', 'Validation failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { errors: issues });

const agencyView = (catalog: Catalog, id: string) => ({ id, name: catalog.agencies.get(id)?.name ?? { ko: id, en: id } });

const retrievalView = (catalog: Catalog, event: EvidenceEvent) => {
  const requirement = catalog.petitionTypes.get(event.petitionType)?.evidence.find((e) => e.id === event.evidenceId);
  return {
    kind: 'evidence-retrieval' as const,
    at: event.at,
    petitionId: event.petitionId,
    petitionType: event.petitionType,
    document: { id: event.evidenceId, type: event.documentType, name: requirement?.name ?? { ko: event.documentType, en: event.documentType } },
    agency: agencyView(catalog, event.agency),
    consent: event.consent,
    sha256: event.sha256,
  };
};

const accessView = (catalog: Catalog, event: AccessEvent) => ({
  kind: 'agency-access' as const,
  at: event.at,
  petitionId: event.petitionId,
  agency: agencyView(catalog, event.agency),
  resource: event.resource,
});

const entryView = (catalog: Catalog, { event, seq }: CitizenAccessEntry) => ({
  ...(event.kind === 'evidence' ? retrievalView(catalog, event) : accessView(catalog, event)),
  // Where the record sits in the audit chain: the same record an auditor finds in an export.
  auditRecord: { id: event.id, ...(seq === undefined ? {} : { seq }) },
});

export const getDataAccess = withProblems<ApiDeps>(async (event, deps) => {
  const identity = await authenticate(event, deps.verifyToken);
  const parsed = query.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw validationProblem(describeIssues(parsed.error));
  const page = await deps.audit
    .listCitizenAccess(identity.subject, { ...(parsed.data.limit ? { limit: parsed.data.limit } : {}), ...(parsed.data.cursor ? { cursor: parsed.data.cursor } : {}) })
    .catch((error: unknown) => {
      if (error instanceof InvalidCursorError) throw validationProblem([{ path: 'cursor', message: 'not a cursor this listing handed out (cursors belong to one citizen)' }]);
      throw error;
    });
  return json(200, { entries: page.items.map((entry) => entryView(deps.catalog, entry)), ...(page.cursor ? { cursor: page.cursor } : {}) }, { 'cache-control': 'no-store' });
});

export const handler = lambdaHandler(getDataAccess);
