/**
 * ES256 signing keys of the embedded platform's stand-ins for outside parties (the simulated
 * agencies, the development identity provider), kept under DATA_DIR so that what they signed before
 * a restart still verifies after it: stored documents are re-checked before a decision, and a
 * citizen's token survives a restart of the platform. Files are 0600 in a 0700 directory. These are
 * simulation keys for local mode only; real agencies and identity providers hold their own.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export interface LocalSigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The public half as published (with kid, alg and use). */
  readonly publicJwk: JWK;
}

/** Loads the named key from `dir`, creating it on first use. */
export async function loadOrCreateSigningKey(dir: string, name: string): Promise<LocalSigningKey> {
  const file = join(dir, `${name}.jwk.json`);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { kid: string; privateJwk: JWK; publicJwk: JWK };
    return { kid: stored.kid, privateKey: (await importJWK(stored.privateJwk, 'ES256')) as CryptoKey, publicJwk: stored.publicJwk };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Extractable only long enough to be written to the key file.
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const stored = { kid, privateJwk: await exportJWK(privateKey), publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' } };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(stored), { mode: 0o600 });
  return { kid, privateKey: (await importJWK(stored.privateJwk, 'ES256')) as CryptoKey, publicJwk: stored.publicJwk };
}
