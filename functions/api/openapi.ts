/** GET /openapi.json */
import { lambdaHandler } from '../lambda.ts';
import type { ApiDeps } from './deps.ts';
import { json, withProblems } from './http.ts';
import { buildOpenApiDocument } from './openapi-document.ts';

let document: Record<string, unknown> | undefined;

export const openApi = withProblems<ApiDeps>(async () => json(200, (document ??= buildOpenApiDocument())));

export const handler = lambdaHandler(openApi);
