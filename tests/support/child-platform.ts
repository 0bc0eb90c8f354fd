/** Runs `npm start`'s entry point as a real child process, so a test can SIGKILL it mid-petition. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface ChildPlatform {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Waits for the process to exit; resolves with its exit code (or signal name). */
  exited: Promise<number | string>;
}

export function startChildPlatform(env: Record<string, string>): Promise<ChildPlatform> {
  // One process (node with tsx's loader), not the tsx CLI, which would run the platform in a
  // grandchild that a SIGKILL of the CLI leaves orphaned.
  const child = spawn(join(root, 'node_modules', '.bin', 'node'), ['--import', 'tsx', join(root, 'infra', 'local', 'main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child, output: () => output, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited (${code}) before listening:\n${output}`));
    });
  });
}
