import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { developmentSecret } from '../../../infra/local/development-secrets.ts';

describe('developmentSecret', () => {
  it('creates a random secret once, readable only by its owner, and returns the same one afterwards', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hanbeon-secrets-'));

    const first = await developmentSecret(dataDir, 'key-passphrase');
    const again = await developmentSecret(dataDir, 'key-passphrase');

    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    expect(again).toBe(first);
    expect((await stat(join(dataDir, 'secrets', 'key-passphrase'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'secrets'))).mode & 0o777).toBe(0o700);
    expect(await developmentSecret(dataDir, 'rrn-hash-key')).not.toBe(first);
  });

  it('gives every racing caller the same secret', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hanbeon-secrets-'));

    const secrets = await Promise.all(Array.from({ length: 10 }, () => developmentSecret(dataDir, 'key-passphrase')));

    expect(new Set(secrets).size).toBe(1);
    expect(await readFile(join(dataDir, 'secrets', 'key-passphrase'), 'utf8')).toBe(secrets[0]);
  });
});
