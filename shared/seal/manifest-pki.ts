/**
 * The Pki adapter for both modes: the trust manifest (certificates and CRLs, no keys) is a JSON
 * object in object storage — a directory locally, S3 on AWS — and the keys are behind a
 * KeyResolver (the encrypted local key store, or KMS). Only `hanbeon pki …` and the platform's
 * start-up write the manifest; a running platform re-reads it now and then, so a revocation made
 * with the CLI reaches the published CRL and the seal checks without a restart.
 */
import type { ObjectStore } from '../store/object-store.ts';
import { parseCrl } from './crl.ts';
import { fromPem } from './der.ts';
import type { Pki, SealHolder } from './pki.ts';
import type { SealingIdentity, TimestampAuthority } from './sealing-identity.ts';
import type { Signer } from './signer.ts';
import { LocalTimestampAuthority } from './timestamp-authority.ts';
import type { CrlIssuer } from './trust-publication.ts';
import {
  createTrustHierarchy,
  ensureAgencySeal,
  refreshCrls,
  sealingIdentityFor,
  type AgencySealSubject,
  type KeyResolver,
  type TrustManifest,
} from './trust-hierarchy.ts';

/** Where the manifest lives in object storage. */
export const TRUST_MANIFEST_KEY = 'pki/manifest.json';

/** The manifest is missing: the hierarchy has not been created (`hanbeon pki init`). */
export class TrustManifestMissingError extends Error {
  override readonly name = 'TrustManifestMissingError';
}

export const readTrustManifest = async (objects: ObjectStore): Promise<TrustManifest | undefined> => {
  const bytes = await objects.get(TRUST_MANIFEST_KEY);
  return bytes && (JSON.parse(new TextDecoder().decode(bytes)) as TrustManifest);
};

export const writeTrustManifest = (objects: ObjectStore, manifest: TrustManifest): Promise<void> =>
  objects.put(TRUST_MANIFEST_KEY, new TextEncoder().encode(JSON.stringify(manifest, null, 2)), 'application/json');

const DAY_MS = 86_400_000;

/** True when a short-lived CRL of the manifest expires within a day: time to issue the next one. */
const crlsDueAt = (manifest: TrustManifest, now: Date): boolean =>
  [manifest.sealCa.crl, manifest.platform.crl].some((pem) => {
    const { nextUpdate } = parseCrl(fromPem(pem, 'X509 CRL'));
    return !nextUpdate || nextUpdate.getTime() - now.getTime() < DAY_MS;
  });

export interface EnsureTrustOptions {
  objects: ObjectStore;
  keys: KeyResolver;
  agencies: readonly AgencySealSubject[];
  clock: () => Date;
  publicBaseUrl?: string;
}

/**
 * Makes sure the hierarchy exists and is current: creates it on first use, adds a seal for each
 * newly configured agency, and re-issues CRLs that are about to expire. Returns the manifest and
 * whether it was created now.
 */
export async function ensureTrustHierarchy(options: EnsureTrustOptions): Promise<{ manifest: TrustManifest; created: boolean }> {
  const { objects, keys, agencies, clock } = options;
  let manifest = await readTrustManifest(objects);
  const created = manifest === undefined;
  const before = manifest && JSON.stringify(manifest);
  manifest ??= await createTrustHierarchy({ keys, agencies, clock, ...(options.publicBaseUrl ? { publicBaseUrl: options.publicBaseUrl } : {}) });
  for (const agency of agencies) manifest = await ensureAgencySeal(manifest, agency, keys, clock);
  if (crlsDueAt(manifest, clock())) manifest = await refreshCrls(manifest, keys, clock);
  if (JSON.stringify(manifest) !== before) await writeTrustManifest(objects, manifest);
  return { manifest, created };
}

export interface ManifestPkiOptions {
  objects: ObjectStore;
  keys: KeyResolver;
  clock?: () => Date;
  /** How long a read manifest is trusted before it is read again. @default 30000 */
  refreshMs?: number;
}

const CRL_OF: Record<CrlIssuer, 'root' | 'sealCa' | 'platform'> = { 'root-ca': 'root', 'seal-ca': 'sealCa', 'platform-seal': 'platform' };

export class ManifestPki implements Pki {
  private readonly clock: () => Date;
  private readonly refreshMs: number;
  private cached?: { manifest: Promise<TrustManifest>; readAt: number };
  private readonly signers = new Map<string, Promise<Signer>>();
  private readonly keys: KeyResolver;

  constructor(private readonly options: ManifestPkiOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.refreshMs = options.refreshMs ?? 30_000;
    // A key is opened (decrypted, or its KMS public key fetched) once per process.
    this.keys = (name) => {
      let signer = this.signers.get(name);
      if (!signer) {
        signer = options.keys(name).catch((error: unknown) => {
          this.signers.delete(name);
          throw error;
        });
        this.signers.set(name, signer);
      }
      return signer;
    };
  }

  private manifest(): Promise<TrustManifest> {
    const now = Date.now();
    if (!this.cached || now - this.cached.readAt > this.refreshMs) {
      const manifest = readTrustManifest(this.options.objects).then((m) => {
        if (!m) throw new TrustManifestMissingError(`no trust manifest at ${TRUST_MANIFEST_KEY}: create the hierarchy with 'hanbeon pki init'`);
        return m;
      });
      manifest.catch(() => (this.cached = undefined));
      this.cached = { manifest, readAt: now };
    }
    return this.cached.manifest;
  }

  async sealingIdentity(holder: SealHolder): Promise<SealingIdentity> {
    return sealingIdentityFor(await this.manifest(), holder, this.keys);
  }

  async timestampAuthority(): Promise<TimestampAuthority> {
    const identity = await sealingIdentityFor(await this.manifest(), 'tsa', this.keys);
    return new LocalTimestampAuthority({ identity, clock: this.clock });
  }

  async rootCertificatePem(): Promise<string> {
    return (await this.manifest()).root.certificate;
  }

  async crl(issuer: CrlIssuer): Promise<Uint8Array> {
    return fromPem((await this.manifest())[CRL_OF[issuer]].crl, 'X509 CRL');
  }
}
