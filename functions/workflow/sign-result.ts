/** Task state entry point: the domain step in shared/workflow/sealing-steps.ts, wrapped for Lambda. */
import { signResult } from '../../shared/workflow/sealing-steps.ts';
import { taskHandler } from '../lambda.ts';

export const handler = taskHandler(signResult);
