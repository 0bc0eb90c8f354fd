/** The `hanbeon` command, run as a user would (`npx hanbeon …`), offline. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runHanbeon } from '../support/cli.ts';
import { describe, expect, it } from 'vitest';

const hanbeon = (...args: string[]) => runHanbeon(args);

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

describe('hanbeon pki', () => {
  const inDataDir = async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hanbeon-pki-'));
    const run = (...args: string[]) => runHanbeon(args, { DATA_DIR: dataDir, HANBEON_KEY_PASSPHRASE: 'a passphrase for this test only' });
    return { dataDir, run };
  };

  it('creates the hierarchy once, prints the root for auditors, and revokes a seal into the published CRL', async () => {
    const { dataDir, run } = await inDataDir();

    const init = await run('pki', 'init');
    const again = await run('pki', 'init');
    const root = await run('pki', 'root');
    const serial = /agency seal: nts\s+\S+ 직인\s+serial ([0-9a-f]+)/.exec(init.stdout)?.[1];
    const revoked = await run('pki', 'revoke', serial ?? '', '--reason', 'keyCompromise');
    const shown = await run('pki', 'show');

    expect(init.code).toBe(0);
    expect(init.stdout).toContain('created the trust hierarchy');
    expect(again.stdout).toContain('the trust hierarchy exists');
    expect(root.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/);
    await writeFile(join(dataDir, 'root.pem'), root.stdout);
    const { stdout: subject } = await promisify(execFile)('openssl', ['x509', '-in', join(dataDir, 'root.pem'), '-noout', '-subject']);
    expect(subject).toMatch(/hanbeon/);
    expect(serial).toBeDefined();
    expect(revoked.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`CRL of seal CA: number \\d+, 1 revoked\\n  ${serial} at .* \\(keyCompromise\\)`));
  });

  it('refuses a serial that is not hex and a reason it does not know, with exit code 2', async () => {
    const { run } = await inDataDir();
    await run('pki', 'init');

    const badSerial = await run('pki', 'revoke', 'not-a-serial');
    const badReason = await run('pki', 'revoke', '01ab', '--reason', 'bored');

    expect(badSerial.code).toBe(2);
    expect(badReason.code).toBe(2);
    expect(badReason.stderr).toContain('keyCompromise');
  });

  it('sends the operator to the development route for local agency keys', async () => {
    const { code, stderr } = await hanbeon('agency-key', 'issue', 'mois');
    expect(code).toBe(2);
    expect(stderr).toContain('/dev/agencies/<id>/api-keys');
  });
});
