/** GET /v1/petition-types and GET /v1/petition-types/{id}: the catalog, public. */
import { lambdaHandler } from '../lambda.ts';
import type { ApiDeps } from './deps.ts';
import { json, withProblems } from './http.ts';
import { notFound } from './problem.ts';

export const listPetitionTypes = withProblems<ApiDeps>(async (_event, deps) =>
  json(200, {
    items: [...deps.catalog.petitionTypes.values()].map((type) => ({
      id: type.id,
      version: type.version,
      name: type.name,
      description: type.description,
      assuranceLevel: type.assuranceLevel,
      links: { self: `/v1/petition-types/${type.id}` },
    })),
  }),
);

export const getPetitionType = withProblems<ApiDeps>(async (event, deps) => {
  const id = event.pathParameters?.id ?? '';
  const type = deps.catalog.petitionTypes.get(id);
  if (!type) throw notFound(`petition type '${id.slice(0, 64)}'`);
  // The issuing agencies' names help a front end explain what will be fetched, and from whom.
  const agencies = Object.fromEntries(
    type.evidence.map((e) => [e.agency, { name: deps.catalog.agencies.get(e.agency)?.name ?? { ko: e.agency, en: e.agency } }]),
  );
  return json(200, { ...type, agencies });
});

/** One Lambda serves both routes: the route key tells which. */
export const petitionTypes = withProblems<ApiDeps>(async (event, deps) =>
  event.pathParameters?.id === undefined ? listPetitionTypes(event, deps) : getPetitionType(event, deps),
);

export const handler = lambdaHandler(petitionTypes);
