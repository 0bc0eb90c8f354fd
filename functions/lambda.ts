/** The AWS wrappers: middy around the same functions the local platform calls directly. */
import middy from '@middy/core';
import type { SealingStepDeps } from '../shared/workflow/sealing-steps.ts';
import type { ApiDeps } from './api/deps.ts';
import type { ApiEvent, ApiHandler } from './api/http.ts';

// The composition root (and the AWS SDK clients it pulls in) loads on the first invocation, so the
// embedded platform, which imports these modules for their handlers, never pays for it.
const compose = () => import('./compose.ts');

/** Lambda entry for an API route. */
export const lambdaHandler = (core: ApiHandler<ApiDeps>) =>
  middy(async (event: ApiEvent) => core(event, await (await compose()).awsApiDeps()));

/** Lambda entry for a workflow Task. Errors propagate by name so the state machine's Retry/Catch see them. */
export const taskHandler = <I, O>(step: (input: I, deps: SealingStepDeps) => Promise<O>) =>
  middy(async (input: I) => step(input, await (await compose()).awsStepDeps()));
