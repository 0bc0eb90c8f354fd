/** Starts the petition workflow. Starting a petition that already runs or ran is a no-op (idempotent by petition id). */
export interface WorkflowStarter {
  start(petitionId: string): Promise<void>;
}
