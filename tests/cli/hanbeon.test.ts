/** The `hanbeon` command, run as a user would (`npx hanbeon …`), offline. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
// Run through its shebang, as `npx hanbeon` does, with the project's Node 22 first on the PATH.
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
const hanbeon = (...args: string[]) =>
  promisify(execFile)(join(root, 'cli', 'hanbeon.ts'), args, { cwd: root, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

describe('hanbeon', () => {
  it('checks the shipped templates', async () => {
    const { code, stdout } = await hanbeon('templates', 'check');
    expect(code).toBe(0);
    expect(stdout).toContain('petition type basic-pension v1 (기초연금 신청)');
    expect(stdout).toContain('templates are valid');
  });

  it('names the file, the path and the reason of an invalid template, with exit code 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hanbeon-cli-'));
    await mkdir(join(dir, 'petition-types'));
    await mkdir(join(dir, 'agencies'));
    await writeFile(join(dir, 'petition-types', 'x.json'), '{"id": "x", ');

    const { code, stderr } = await hanbeon('templates', 'check', '--dir', dir);

    expect(code).toBe(1);
    expect(stderr).toContain('x.json');
    expect(stderr).toMatch(/JSON/i);
  });

  it('prints the ASL the local runner executes', async () => {
    const { code, stdout } = await hanbeon('workflow', 'asl');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).StartAt).toBe('VerifyIdentity');
  });

  it('refuses an unknown command with usage and exit code 2', async () => {
    const { code, stderr } = await hanbeon('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain('usage: hanbeon');
  });
});
