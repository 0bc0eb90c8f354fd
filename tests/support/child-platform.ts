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

/** Logs `subject` in with the development identity provider of the platform at `url`. */
export const devToken = async (url: string, subject: string): Promise<string> =>
  ((await (await fetch(`${url}/dev/idp/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject }) })).json()) as { id_token: string }).id_token;

/** An API key for `agency`, from the platform's development route. */
export const devAgencyKey = async (url: string, agency: string): Promise<string> =>
  ((await (await fetch(`${url}/dev/agencies/${agency}/api-keys`, { method: 'POST' })).json()) as { key: string }).key;

/** Submits the example of `typeId` over HTTP, as a front end would; returns the petition id. */
export async function submitExampleOver(url: string, token: string, typeId: string, idempotencyKey: string): Promise<string> {
  const type = (await (await fetch(`${url}/v1/petition-types/${typeId}`)).json()) as { example: { fields: Record<string, unknown> }; evidence: { id: string }[] };
  const answer = await fetch(`${url}/v1/petitions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ type: typeId, fields: type.example.fields, consent: { documents: type.evidence.map((e) => e.id) } }),
  });
  if (answer.status !== 202) throw new Error(`submitting ${typeId}: ${answer.status} ${await answer.text()}`);
  return ((await answer.json()) as { id: string }).id;
}
