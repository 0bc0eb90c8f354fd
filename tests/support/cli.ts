/**
 * The `hanbeon` command run as a user runs it (`npx hanbeon …`): through its shebang, from the
 * project, with the project's Node 22 first on the PATH. Never throws for an exit code: tests
 * assert the code, stdout and stderr.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const projectRoot = join(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `hanbeon …args` with `env` added to the environment. */
export const runHanbeon = (args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> =>
  promisify(execFile)(join(projectRoot, 'cli', 'hanbeon.ts'), [...args], {
    cwd: projectRoot,
    env: { ...process.env, PATH: `${join(projectRoot, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: CliResult) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
