/**
 * `hanbeon pki …`: the operator's commands for the trust hierarchy. Locally they work on DATA_DIR
 * (the encrypted key store and the manifest beside the platform's documents); with --aws on the
 * KMS keys the stack created and the manifest in its bucket. The root key is used here only.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { KMSClient } from '@aws-sdk/client-kms';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type PlatformConfig } from '../functions/config.ts';
import { defaultTemplatesDir, loadCatalog } from '../shared/catalog/load.ts';
import { describeCertificate } from '../shared/seal/certificate.ts';
import { REVOCATION_REASONS, type RevocationReason } from '../shared/seal/crl.ts';
import { fromPem } from '../shared/seal/der.ts';
import { KmsSigner } from '../shared/seal/kms-signer.ts';
import { LocalKeyStore } from '../shared/seal/local-key-store-signer.ts';
import { ensureTrustHierarchy, readTrustManifest, TrustManifestMissingError, writeTrustManifest } from '../shared/seal/manifest-pki.ts';
import { SignerUnavailableError } from '../shared/seal/signer.ts';
import { refreshCrls, revoke, type KeyResolver, type TrustManifest } from '../shared/seal/trust-hierarchy.ts';
import { DirectoryObjectStore } from '../shared/store/directory-object-store.ts';
import type { ObjectStore } from '../shared/store/object-store.ts';
import { S3ObjectStore } from '../shared/store/s3-object-store.ts';
import { developmentSecret } from '../infra/local/development-secrets.ts';
import { localKeyDirectory } from '../infra/local/local-pki.ts';

export const PKI_USAGE = `  pki init [--aws] [--public-url URL]      create the trust hierarchy (root CA, seal CA, agency seals, platform seal, TSA)
  pki show [--aws]                         list its certificates, CRLs and revocations
  pki root [--aws]                         print the root certificate (PEM): the trust anchor for auditors
  pki revoke SERIAL [--reason R] [--applicant-seal] [--aws]
                                           revoke a certificate (an applicant seal needs --applicant-seal)
  pki refresh-crl [--aws]                  re-issue the seal CA and platform CRLs for a new window`;

interface PkiContext {
  objects: ObjectStore;
  keys: KeyResolver;
  openKeys: KeyResolver;
  config: PlatformConfig;
}

/** Local: DATA_DIR and its key store. AWS (--aws): the stack's bucket and KMS keys, from the same configuration keys. */
async function contextOf(aws: boolean): Promise<PkiContext> {
  const config = loadConfig(aws ? { ...process.env, HANBEON_MODE: 'aws' } : process.env);
  if (aws) {
    const kms = new KMSClient({});
    const keys: KeyResolver = async (name) => {
      const keyId = config.HANBEON_KMS_KEYS[name];
      if (!keyId) throw new SignerUnavailableError(`no KMS key for '${name}' in HANBEON_KMS_KEYS (the stack's output)`);
      return new KmsSigner({ client: kms, keyId });
    };
    return { objects: new S3ObjectStore({ client: new S3Client({}), bucket: config.HANBEON_BUCKET_NAME! }), keys, openKeys: keys, config };
  }
  const dataDir = resolve(config.DATA_DIR);
  const passphrase = config.HANBEON_KEY_PASSPHRASE ?? (await developmentSecret(dataDir, 'key-passphrase'));
  const store = new LocalKeyStore({ directory: localKeyDirectory(dataDir), passphrase });
  return { objects: new DirectoryObjectStore(join(dataDir, 'objects')), keys: (name) => store.openOrCreate(name), openKeys: (name) => store.open(name), config };
}

const manifestOf = async (context: PkiContext): Promise<TrustManifest> => {
  const manifest = await readTrustManifest(context.objects);
  if (!manifest) throw new TrustManifestMissingError("there is no trust hierarchy yet: run 'hanbeon pki init' (or start the platform once)");
  return manifest;
};

const line = (label: string, pem: string) => {
  const d = describeCertificate(fromPem(pem, 'CERTIFICATE'));
  return `${label.padEnd(22)} ${d.subject.commonName ?? ''}  serial ${d.serialNumber}  valid ${d.notBefore.toISOString().slice(0, 10)}..${d.notAfter.toISOString().slice(0, 10)}`;
};

function show(manifest: TrustManifest): void {
  console.log(line('root CA', manifest.root.certificate));
  console.log(line('seal CA', manifest.sealCa.certificate));
  console.log(line('platform seal (CA)', manifest.platform.certificate));
  console.log(line('timestamping (TSA)', manifest.tsa.certificate));
  for (const [id, record] of Object.entries(manifest.agencies)) console.log(line(`agency seal: ${id}`, record.certificate));
  for (const [name, ca] of [['root CA', manifest.root], ['seal CA', manifest.sealCa], ['platform seal', manifest.platform]] as const) {
    console.log(`CRL of ${name}: number ${ca.crlNumber}, ${ca.revoked.length} revoked${ca.revoked.map((r) => `\n  ${r.serialNumber} at ${r.revokedAt}${r.reason ? ` (${r.reason})` : ''}`).join('')}`);
  }
}

/** Runs a `pki` subcommand; returns the exit code. */
export async function runPki(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: { aws: { type: 'boolean', default: false }, 'public-url': { type: 'string' }, reason: { type: 'string', default: 'unspecified' }, 'applicant-seal': { type: 'boolean', default: false } },
  });
  const context = await contextOf(values.aws);
  switch (subcommand) {
    case 'init': {
      const catalog = await loadCatalog(context.config.HANBEON_TEMPLATES_DIR ?? defaultTemplatesDir);
      const publicBaseUrl = values['public-url'] ?? context.config.HANBEON_PUBLIC_BASE_URL ?? `http://${context.config.HOST}:${context.config.PORT}`;
      const { manifest, created } = await ensureTrustHierarchy({
        objects: context.objects,
        keys: context.keys,
        agencies: [...catalog.agencies.values()].map((agency) => ({ id: agency.id, name: agency.name.ko })),
        clock: () => new Date(),
        publicBaseUrl,
      });
      console.log(created ? 'created the trust hierarchy:' : 'the trust hierarchy exists (added what was missing):');
      show(manifest);
      return 0;
    }
    case 'show':
      show(await manifestOf(context));
      return 0;
    case 'root':
      process.stdout.write((await manifestOf(context)).root.certificate);
      return 0;
    case 'revoke': {
      const [serialNumber] = positionals;
      if (!serialNumber || !/^[0-9a-fA-F:]+$/.test(serialNumber)) {
        console.error(`expected a certificate serial number in hex, received ${serialNumber ?? 'nothing'}`);
        return 2;
      }
      if (!(values.reason in REVOCATION_REASONS)) {
        console.error(`unknown reason '${values.reason}'; expected one of ${Object.keys(REVOCATION_REASONS).join(', ')}`);
        return 2;
      }
      const manifest = await revoke(
        await manifestOf(context),
        { serialNumber: serialNumber.replaceAll(':', ''), reason: values.reason as RevocationReason, at: new Date(), ...(values['applicant-seal'] ? { issuedBy: 'platform' as const } : {}) },
        context.openKeys,
      );
      await writeTrustManifest(context.objects, manifest);
      console.log(`revoked ${serialNumber}; the new CRL is published at /v1/trust/crl (a running platform picks it up within 30 s)`);
      return 0;
    }
    case 'refresh-crl': {
      await writeTrustManifest(context.objects, await refreshCrls(await manifestOf(context), context.openKeys, () => new Date()));
      console.log('re-issued the seal CA and platform seal CRLs');
      return 0;
    }
    default:
      console.error(`unknown pki command '${subcommand ?? ''}'\n${PKI_USAGE}`);
      return 2;
  }
}
