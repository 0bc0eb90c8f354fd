/**
 * What the local runner adapts for callback Tasks (`.waitForTaskToken`), which aws-local-stepfunctions
 * 3.0 runs as plain Tasks (docs/adr/0006). The definition itself stays the one AWS runs; two gaps
 * are bridged here, at run time:
 *
 * - `$$.Task.Token`: the library's context object has no Task, so the path would not resolve and the
 *   execution would fail (an uncatchable States.Runtime). The runner passes a stand-in token.
 * - `TimeoutSecondsPath`: AWS resolves it against the state input; the library resolves it against
 *   the Parameters' output (`{ FunctionName, Payload }`), where the path points nowhere (States.Runtime
 *   again). Its timer would also be in-memory wall-clock time, restarted from zero by every replay.
 *   Locally the callback's deadline belongs to the Task function (the recorded wait, on the injected
 *   clock, surviving restarts), so the path gives way to the longest timeout the library can arm —
 *   without one it would impose its 60 s default.
 */
import type { AslDefinition } from '../../workflows/synthesize.ts';

/** The stand-in for `$$.Task.Token` locally: the recorded wait is keyed by petition, not by token. */
export const localTaskToken = (petitionId: string): string => `local:${petitionId}`;

/** The longest timeout setTimeout can arm (2^31-1 ms); beyond it Node fires at once. */
export const LOCAL_CALLBACK_TIMEOUT_SECONDS = 2_147_483;

const CALLBACK_SUFFIX = '.waitForTaskToken';

/** A copy of the definition where each callback Task's timeout is left to the Task function. */
export function withLocalCallbackTimeouts(definition: AslDefinition): AslDefinition {
  const copy = structuredClone(definition);
  const adapt = (states: Record<string, Record<string, unknown>>) => {
    for (const state of Object.values(states)) {
      if (state.Type === 'Task' && typeof state.Resource === 'string' && state.Resource.endsWith(CALLBACK_SUFFIX)) {
        delete state.TimeoutSecondsPath;
        state.TimeoutSeconds = LOCAL_CALLBACK_TIMEOUT_SECONDS;
      }
      const inner = [state.ItemProcessor, state.Iterator, ...((state.Branches as unknown[] | undefined) ?? [])];
      for (const machine of inner) if (machine) adapt((machine as AslDefinition).States);
    }
  };
  adapt(copy.States);
  return copy;
}
