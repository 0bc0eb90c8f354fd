/**
 * Signing keys of the simulated agencies, kept under DATA_DIR so that documents issued before a
 * restart still verify after it (the platform re-checks stored documents before deciding on them).
 * These are simulation keys for local mode only; real agencies hold their own.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { AgencySigningKey } from './simulated-agencies/signing-key.ts';

export async function loadOrCreateSimulatorKey(dir: string, agencyId: string): Promise<AgencySigningKey> {
  const file = join(dir, `${agencyId}.jwk.json`);
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
