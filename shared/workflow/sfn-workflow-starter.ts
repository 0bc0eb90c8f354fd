import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from './ports.ts';

/**
 * Starts the deployed state machine. The execution is named after the petition, so a second start
 * (a retried submission, a duplicate request) finds the first execution instead of making another.
 */
export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(private readonly options: { client: SFNClient; stateMachineArn: string }) {}

  async start(petitionId: string): Promise<void> {
    try {
      await this.options.client.send(
        new StartExecutionCommand({ stateMachineArn: this.options.stateMachineArn, name: petitionId, input: JSON.stringify({ petitionId }) }),
      );
    } catch (error) {
      // Same name and same input: Step Functions answers with the running execution, or this error
      // once it has ended; either way the petition has its one execution.
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }
}
