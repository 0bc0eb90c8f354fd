/** GET /health: the process is up and configured. */
import { lambdaHandler } from '../lambda.ts';
import type { ApiDeps } from './deps.ts';
import { json, withProblems } from './http.ts';

export const health = withProblems<ApiDeps>(async (_event, deps) => json(200, { status: 'ok', mode: deps.mode }));

export const handler = lambdaHandler(health);
