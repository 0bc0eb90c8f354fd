/**
 * The trust manifest kept current at start (ensureTrustHierarchy) and read by the running platform
 * (ManifestPki), over a real directory object store and the encrypted local key store.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCrl } from '../../../shared/seal/crl.ts';
import { LocalKeyStore } from '../../../shared/seal/local-key-store-signer.ts';
import { ensureTrustHierarchy, ManifestPki, readTrustManifest, writeTrustManifest } from '../../../shared/seal/manifest-pki.ts';
import { revoke } from '../../../shared/seal/trust-hierarchy.ts';
import { DirectoryObjectStore } from '../../../shared/store/directory-object-store.ts';

const DAY = 86_400_000;

const setUp = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hanbeon-manifest-'));
  const objects = new DirectoryObjectStore(join(dir, 'objects'));
  const keys = new LocalKeyStore({ directory: join(dir, 'keys'), passphrase: 'a passphrase for this test only' });
  return { objects, keys: (name: string) => keys.openOrCreate(name) };
};

describe('ensureTrustHierarchy', () => {
  it('creates the hierarchy once, then leaves it as it is', async () => {
    const { objects, keys } = await setUp();
    const start = new Date('2026-11-25T00:00:00Z');

    const first = await ensureTrustHierarchy({ objects, keys, agencies: ['mois'], clock: () => start });
    const second = await ensureTrustHierarchy({ objects, keys, agencies: ['mois'], clock: () => new Date(start.getTime() + DAY) });

    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.manifest).toEqual(first.manifest);
  });

  it('re-issues the short-lived CRLs when less than a day of them is left, never touching the root', async () => {
    const { objects, keys } = await setUp();
    const start = new Date('2026-11-25T00:00:00Z');
    const { manifest } = await ensureTrustHierarchy({ objects, keys, agencies: ['mois'], clock: () => start });

    const later = new Date(start.getTime() + 6.5 * DAY);
    const { manifest: refreshed } = await ensureTrustHierarchy({ objects, keys, agencies: ['mois'], clock: () => later });

    expect(refreshed.sealCa.crlNumber).toBe(manifest.sealCa.crlNumber + 1);
    expect(refreshed.platform.crlNumber).toBe(manifest.platform.crlNumber + 1);
    expect(refreshed.root).toEqual(manifest.root);
    expect(await readTrustManifest(objects)).toEqual(refreshed);
  });

  it('adds a seal for a newly configured agency under the existing root', async () => {
    const { objects, keys } = await setUp();
    const clock = () => new Date('2026-11-25T00:00:00Z');
    const { manifest } = await ensureTrustHierarchy({ objects, keys, agencies: ['mois'], clock });

    const { manifest: extended } = await ensureTrustHierarchy({ objects, keys, agencies: ['mois', 'court'], clock });

    expect(Object.keys(extended.agencies).sort()).toEqual(['court', 'mois']);
    expect(extended.root).toEqual(manifest.root);
    expect(extended.agencies.mois).toEqual(manifest.agencies.mois);
  });
});

describe('ManifestPki', () => {
  it('publishes a revocation made beside it once it reads the manifest again', async () => {
    const { objects, keys } = await setUp();
    const { manifest } = await ensureTrustHierarchy({ objects, keys, agencies: ['mois'], clock: () => new Date() });
    const pki = new ManifestPki({ objects, keys, refreshMs: 0 });
    const serial = manifest.agencies.mois!.serialNumber;

    const before = parseCrl(await pki.crl('seal-ca'));
    await writeTrustManifest(objects, await revoke(manifest, { serialNumber: serial, reason: 'keyCompromise', at: new Date() }, keys));
    const after = parseCrl(await pki.crl('seal-ca'));

    expect(before.revoked).toEqual([]);
    expect(after.revoked.map((r) => r.serialNumber)).toEqual([serial]);
  });

  it('says how to create the hierarchy when there is none', async () => {
    const { objects, keys } = await setUp();

    await expect(new ManifestPki({ objects, keys }).rootCertificatePem()).rejects.toMatchObject({ name: 'TrustManifestMissingError', message: expect.stringContaining('hanbeon pki init') });
  });
});
