/**
 * The embedded platform's PKI: keys in the encrypted local key store (DATA_DIR/pki/keys), the
 * trust manifest in the local object store, created on first start so a newcomer needs no setup
 * (`hanbeon pki init` does the same explicitly).
 */
import { join } from 'node:path';
import type { Catalog } from '../../shared/catalog/load.ts';
import { LocalKeyStore } from '../../shared/seal/local-key-store-signer.ts';
import { ensureTrustHierarchy, ManifestPki } from '../../shared/seal/manifest-pki.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';

export interface LocalPkiOptions {
  dataDir: string;
  passphrase: string;
  objects: ObjectStore;
  catalog: Catalog;
  clock: () => Date;
  publicBaseUrl: string;
}

/** The directory of the local signing keys. */
export const localKeyDirectory = (dataDir: string): string => join(dataDir, 'pki', 'keys');

/** Opens (creating on first use) the local hierarchy; returns the Pki the workflow and API use. */
export async function openLocalPki(options: LocalPkiOptions): Promise<{ pki: ManifestPki; created: boolean; keyStore: LocalKeyStore }> {
  const keyStore = new LocalKeyStore({ directory: localKeyDirectory(options.dataDir), passphrase: options.passphrase });
  const { created } = await ensureTrustHierarchy({
    objects: options.objects,
    keys: (name) => keyStore.openOrCreate(name),
    agencies: [...options.catalog.agencies.values()].map((agency) => ({ id: agency.id, name: agency.name.ko })),
    clock: options.clock,
    publicBaseUrl: options.publicBaseUrl,
  });
  return { pki: new ManifestPki({ objects: options.objects, keys: (name) => keyStore.open(name), clock: options.clock }), created, keyStore };
}
