/**
 * Secrets the embedded platform needs but a newcomer has not configured: the passphrase of the
 * local signing keys and the resident-number hash key. Created once with random bytes under
 * DATA_DIR/secrets (0700 / 0600, never overwritten) so that `npm start` works with no setup and
 * what was signed or hashed before a restart still matches after it. Anything beyond development
 * sets HANBEON_KEY_PASSPHRASE and HANBEON_RRN_HASH_KEY from a secret store instead: a passphrase
 * kept beside the keys it protects only protects them from someone who copies the keys alone.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Reads the named secret, creating it (random, base64) on first use; racing creators agree on one. */
export async function developmentSecret(dataDir: string, name: string, bytes = 32): Promise<string> {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, name);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const temporary = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(temporary, randomBytes(bytes).toString('base64'), { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file); // atomic, and fails if another process created it first
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  return (await readFile(file, 'utf8')).trim();
}
