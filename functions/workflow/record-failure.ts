/** Task state entry point: the domain step in shared/workflow/steps.ts, wrapped for Lambda. */
import { recordFailure } from '../../shared/workflow/steps.ts';
import { taskHandler } from '../lambda.ts';

export const handler = taskHandler(recordFailure);
