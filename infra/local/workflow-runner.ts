/**
 * Runs the synthesized petition workflow in-process with aws-local-stepfunctions. The runner itself
 * keeps nothing: durability comes from the journaled steps (DESIGN §4), so after a crash `recover()`
 * replays every unfinished petition from the start and finished steps return their recorded results.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { WorkflowStarter } from '../../shared/workflow/ports.ts';
import type { AslDefinition } from '../../workflows/synthesize.ts';
import { localTaskToken, withLocalCallbackTimeouts } from './callback-tasks.ts';

export type TaskFunction = (input: never) => Promise<unknown>;

/** The `Error` of the workflow's Fail state (workflows/petition-workflow.ts). */
const FAIL_STATE_ERROR = 'PetitionFailed';

export interface RunnerLogger {
  info(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
}

export interface LocalWorkflowRunnerOptions {
  definition: AslDefinition;
  /** What runs each Task state, by state name. */
  tasks: Record<string, TaskFunction>;
  /** Overrides every Retry interval (ms); tests use 0 so backoff costs no wall time. Default: the definition's. */
  retryIntervalMs?: number;
  logger?: RunnerLogger;
}

export class LocalWorkflowRunner implements WorkflowStarter {
  private readonly machine: StateMachine;
  private readonly inFlight = new Map<string, { abort: () => void; done: Promise<void> }>();
  private closing = false;
  /** Task calls under way: close() waits for them so no step is cut off mid-write. */
  private readonly activeTasks = new Set<Promise<unknown>>();
  private readonly tasks: Record<string, TaskFunction>;
  /** Executions started by this process (tests use it to prove "exactly one execution"). */
  executionsStarted = 0;

  constructor(private readonly options: LocalWorkflowRunnerOptions) {
    // Resources are placeholder ARNs: every Task is overridden by a local function below. Callback
    // Tasks keep their deadline in the Task function, not in the library's timer (callback-tasks.ts).
    this.machine = new StateMachine(withLocalCallbackTimeouts(options.definition) as never, { validationOptions: { checkArn: false } });
    this.tasks = Object.fromEntries(
      Object.entries(options.tasks).map(([state, task]) => [
        state,
        (input: never) => {
          const call = task(input);
          this.activeTasks.add(call);
          void call.then(
            () => this.activeTasks.delete(call),
            () => this.activeTasks.delete(call),
          );
          return call;
        },
      ]),
    );
  }

  /** Starts the workflow for a petition unless it is already running in this process. */
  async start(petitionId: string): Promise<void> {
    if (this.closing || this.inFlight.has(petitionId)) return;
    this.executionsStarted++;
    const overrides: Record<string, unknown> = { taskResourceLocalHandlers: this.tasks };
    if (this.options.retryIntervalMs !== undefined) {
      overrides.retryIntervalOverrides = Object.fromEntries(Object.keys(this.options.tasks).map((state) => [state, this.options.retryIntervalMs]));
    }
    // The library has no task tokens: `$$.Task.Token` would not resolve (callback-tasks.ts).
    const context = { Task: { Token: localTaskToken(petitionId) } };
    const execution = this.machine.run({ petitionId }, { overrides, context, noThrowOnAbort: true } as never);
    const done = execution.result.then(
      () => undefined,
      (error: unknown) => {
        // The designed failure path ends in the PetitionFailed Fail state after RecordFailure has
        // written the reason. Any other failure (a step erring where nothing catches it) leaves the
        // petition unfinished until the next start replays it: say so.
        const cause = (error as { cause?: { name?: string } }).cause;
        if (!((error as Error).name === 'ExecutionError' && cause?.name === FAIL_STATE_ERROR)) {
          this.options.logger?.error('workflow execution failed outside the failure path; the petition is replayed at the next start', {
            petitionId,
            error: String(cause ?? error),
          });
        }
      },
    ).finally(() => this.inFlight.delete(petitionId));
    this.inFlight.set(petitionId, { abort: execution.abort, done });
  }

  /** Resolves when the petition's in-process execution (if any) has ended. */
  async settled(petitionId: string): Promise<void> {
    await this.inFlight.get(petitionId)?.done;
  }

  get running(): number {
    return this.inFlight.size;
  }

  /** Starts every petition the store still lists as unfinished. */
  async recover(listActive: (cursor?: string) => Promise<{ items: string[]; cursor?: string }>): Promise<number> {
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await listActive(cursor);
      for (const petitionId of page.items) {
        await this.start(petitionId);
        count++;
      }
      cursor = page.cursor;
    } while (cursor);
    if (count > 0) this.options.logger?.info('replaying unfinished petitions', { count });
    return count;
  }

  /** Stops taking work and aborts running executions; they are replayed at the next start. */
  async close(): Promise<void> {
    this.closing = true;
    const running = [...this.inFlight.values()];
    for (const execution of running) execution.abort();
    await Promise.allSettled(running.map((execution) => execution.done));
    await Promise.allSettled([...this.activeTasks]);
  }
}
