/**
 * The trust hierarchy of DESIGN §6 as one JSON-serialisable manifest:
 *
 *   Root CA ─▶ Seal CA ─▶ agency seal (one per issuing agency)
 *                     ├─▶ platform seal ─▶ applicant seal certificates
 *                     └─▶ TSA
 *
 * Pure functions over the manifest and Signers: the caller stores the manifest (and publishes the
 * root certificate and CRLs); keys stay behind the Signer port. The root key is offline in spirit:
 * it is used only by `createTrustHierarchy` and by `revoke` of the Seal CA itself. That is why the
 * root CRL's nextUpdate is the Seal CA's notAfter — its only subject is the Seal CA, so it never needs
 * a routine refresh — while the Seal CA and platform CRLs are short-lived and refreshed with
 * `refreshCrls`, which only uses their own keys. The Seal CA has pathLen 1 because the platform seal
 * below it is itself a CA (it issues applicant seal certificates, pathLen 0).
 */
import { describeCertificate, issueCertificate, readCertificate, type CertificateProfile, type DistinguishedName } from './certificate.ts';
import { issueCrl, type RevocationReason } from './crl.ts';
import { fromPem, toPem } from './der.ts';
import type { SealingIdentity } from './sealing-identity.ts';
import type { Signer } from './signer.ts';

/** Finds the Signer of a key by its name (`root-ca`, `seal-ca`, `platform-seal`, `tsa`, `agency-seal-<id>`). */
export type KeyResolver = (keyName: string) => Promise<Signer>;

/** An issuing agency: its id (as in templates/agencies) and its name, which the seal certificate bears. */
export type AgencySealSubject = string | { readonly id: string; readonly name: string };

export interface TrustHierarchyValidity {
  /** @default 20 */
  readonly rootYears?: number;
  /** @default 10 */
  readonly sealCaYears?: number;
  /** Agency seals, platform seal and TSA. @default 3 */
  readonly sealYears?: number;
  /** Window of the Seal CA and platform CRLs. @default 7 */
  readonly crlDays?: number;
}

export interface ManifestCertificate {
  readonly keyName: string;
  readonly certificate: string;
  /** Lowercase hex. */
  readonly serialNumber: string;
}

export interface ManifestRevocation {
  readonly serialNumber: string;
  readonly revokedAt: string;
  readonly reason?: RevocationReason;
}

/** A CA of the hierarchy with its current CRL (PEM) and what that CRL lists. */
export interface ManifestAuthority extends ManifestCertificate {
  readonly crl: string;
  readonly crlNumber: number;
  readonly revoked: readonly ManifestRevocation[];
}

export interface TrustManifest {
  readonly version: 1;
  readonly publicBaseUrl?: string;
  readonly crlDays: number;
  readonly sealYears: number;
  readonly root: ManifestAuthority;
  readonly sealCa: ManifestAuthority;
  /** The platform seal: seals platform documents and issues applicant seal certificates. */
  readonly platform: ManifestAuthority;
  readonly tsa: ManifestCertificate;
  /** Agency seals by agency id. */
  readonly agencies: Readonly<Record<string, ManifestCertificate>>;
}

export interface TrustHierarchyOptions {
  readonly keys: KeyResolver;
  readonly agencies: readonly AgencySealSubject[];
  readonly clock: () => Date;
  readonly validity?: TrustHierarchyValidity;
  /** Base URL where CRLs are published (`<base>/v1/trust/crl/<ca>.crl`); no distribution point without it. */
  readonly publicBaseUrl?: string;
}

/** A name, serial or agency that the manifest does not know. */
export class TrustHierarchyError extends Error {
  override readonly name = 'TrustHierarchyError';
}

const ORGANIZATION = { organization: 'hanbeon', country: 'KR' } as const;
const KEY_NAMES = { root: 'root-ca', sealCa: 'seal-ca', platform: 'platform-seal', tsa: 'tsa' } as const;
const agencyKeyName = (id: string) => `agency-seal-${id}`;
const CRL_PATHS = { root: 'root-ca', sealCa: 'seal-ca', platform: 'platform-seal' } as const;
/** The CAs of the hierarchy, each publishing a CRL. */
export type AuthorityName = keyof typeof CRL_PATHS;

const DAY = 86_400_000;
const addYears = (date: Date, years: number) => new Date(Date.UTC(date.getUTCFullYear() + years, date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()));
const earliest = (a: Date, b: Date) => (a < b ? a : b);
const der = (pem: string) => fromPem(pem, 'CERTIFICATE');
const crlDer = (pem: string) => fromPem(pem, 'X509 CRL');

/** Where the CRL of a CA of the hierarchy is published under `publicBaseUrl` (none without a base URL). */
export const crlDistributionPointOf = (publicBaseUrl: string | undefined, ca: AuthorityName): string | undefined =>
  publicBaseUrl ? `${publicBaseUrl.replace(/\/+$/, '')}/v1/trust/crl/${CRL_PATHS[ca]}.crl` : undefined;

const recordOf = (keyName: string, certificate: Uint8Array): ManifestCertificate => ({
  keyName, certificate: toPem(certificate, 'CERTIFICATE'), serialNumber: describeCertificate(certificate).serialNumber,
});

interface IssueUnder {
  readonly issuer: ManifestCertificate;
  readonly keyName: string;
  readonly subject: DistinguishedName;
  readonly profile: CertificateProfile;
  readonly years: number;
  readonly crlOf: AuthorityName;
}

const issueUnder = async ({ issuer, keyName, subject, profile, years, crlOf }: IssueUnder, keys: KeyResolver, now: Date, base?: string) => {
  const issuerCertificate = der(issuer.certificate);
  const subjectKey = await keys(keyName);
  const certificate = await issueCertificate({
    subject,
    issuer: { certificate: issuerCertificate, signer: await keys(issuer.keyName) },
    publicKeySpki: await subjectKey.publicKeySpki(),
    notBefore: now,
    // A certificate never outlives its issuer: validators would reject it after the issuer expires anyway.
    notAfter: earliest(addYears(now, years), readCertificate(issuerCertificate).notAfter),
    profile,
    pathLength: profile === 'intermediate-ca' ? 1 : 0,
    crlDistributionPoint: crlDistributionPointOf(base, crlOf),
  });
  return recordOf(keyName, certificate);
};

const withCrl = async (
  authority: ManifestCertificate, revoked: readonly ManifestRevocation[], crlNumber: number, thisUpdate: Date, nextUpdate: Date, keys: KeyResolver,
): Promise<ManifestAuthority> => {
  const crl = await issueCrl({
    issuer: { certificate: der(authority.certificate), signer: await keys(authority.keyName) },
    revoked: revoked.map((r) => ({ serialNumber: r.serialNumber, revokedAt: new Date(r.revokedAt), ...(r.reason ? { reason: r.reason } : {}) })),
    thisUpdate,
    nextUpdate,
    crlNumber,
  });
  return { ...authority, crl: toPem(crl, 'X509 CRL'), crlNumber, revoked };
};

const agencySubject = (agency: AgencySealSubject): { id: string; subject: DistinguishedName } => {
  const { id, name } = typeof agency === 'string' ? { id: agency, name: agency } : agency;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new TrustHierarchyError(`received agency id "${id}"; expected lowercase letters, digits and dashes`);
  return { id, subject: { commonName: `${name} 직인`, organizationalUnit: `agency:${id}`, ...ORGANIZATION } };
};

const rootCrlWindowEnd = (manifest: { readonly sealCa: ManifestCertificate }) => readCertificate(der(manifest.sealCa.certificate)).notAfter;

/** Creates root, Seal CA, one seal per agency, platform seal and TSA certificates, and the CRLs of the CAs. */
export const createTrustHierarchy = async ({ keys, agencies, clock, validity = {}, publicBaseUrl }: TrustHierarchyOptions): Promise<TrustManifest> => {
  const now = clock();
  const { rootYears = 20, sealCaYears = 10, sealYears = 3, crlDays = 7 } = validity;
  const rootSigner = await keys(KEY_NAMES.root);
  const rootCertificate = await issueCertificate({
    subject: { commonName: 'hanbeon Root CA', ...ORGANIZATION },
    issuer: { selfSigned: rootSigner },
    publicKeySpki: await rootSigner.publicKeySpki(),
    notBefore: now,
    notAfter: addYears(now, rootYears),
    profile: 'root-ca',
  });
  const root = recordOf(KEY_NAMES.root, rootCertificate);
  const sealCa = await issueUnder({ issuer: root, keyName: KEY_NAMES.sealCa, subject: { commonName: 'hanbeon Seal CA', ...ORGANIZATION }, profile: 'intermediate-ca', years: sealCaYears, crlOf: 'root' }, keys, now, publicBaseUrl);
  const underSealCa = (keyName: string, subject: DistinguishedName, profile: CertificateProfile) =>
    issueUnder({ issuer: sealCa, keyName, subject, profile, years: sealYears, crlOf: 'sealCa' }, keys, now, publicBaseUrl);
  const platform = await underSealCa(KEY_NAMES.platform, { commonName: 'hanbeon 플랫폼 직인', ...ORGANIZATION }, 'platform-seal');
  const tsa = await underSealCa(KEY_NAMES.tsa, { commonName: 'hanbeon Timestamping Authority', ...ORGANIZATION }, 'tsa');
  const crlEnd = new Date(now.getTime() + crlDays * DAY);
  let manifest: TrustManifest = {
    version: 1,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
    crlDays,
    sealYears,
    root: await withCrl(root, [], 1, now, rootCrlWindowEnd({ sealCa }), keys),
    sealCa: await withCrl(sealCa, [], 1, now, crlEnd, keys),
    platform: await withCrl(platform, [], 1, now, crlEnd, keys),
    tsa,
    agencies: {},
  };
  for (const agency of agencies) manifest = await ensureAgencySeal(manifest, agency, keys, clock);
  return manifest;
};

/** Adds a seal certificate for a newly configured agency (Seal CA key only); returns `manifest` as is when present. */
export const ensureAgencySeal = async (manifest: TrustManifest, agency: AgencySealSubject, keys: KeyResolver, clock: () => Date): Promise<TrustManifest> => {
  const { id, subject } = agencySubject(agency);
  if (manifest.agencies[id]) return manifest;
  const seal = await issueUnder(
    { issuer: manifest.sealCa, keyName: agencyKeyName(id), subject, profile: 'seal', years: manifest.sealYears, crlOf: 'sealCa' },
    keys, clock(), manifest.publicBaseUrl,
  );
  return { ...manifest, agencies: { ...manifest.agencies, [id]: seal } };
};

/** Who seals: an agency (`agency:<id>`), the platform, or the TSA. */
export type SealingRole = `agency:${string}` | 'platform' | 'tsa';

const certificateFor = (manifest: TrustManifest, role: SealingRole): ManifestCertificate => {
  if (role === 'platform') return manifest.platform;
  if (role === 'tsa') return manifest.tsa;
  const record = manifest.agencies[role.slice('agency:'.length)];
  if (!record) throw new TrustHierarchyError(`received ${role}; expected one of ${Object.keys(manifest.agencies).map((id) => `agency:${id}`).join(', ') || 'no agency (none configured)'}, platform, tsa`);
  return record;
};

/** The key, certificate, chain (Seal CA, root) and CRLs with which `role` seals documents. */
export const sealingIdentityFor = async (manifest: TrustManifest, role: SealingRole, signerFor: KeyResolver): Promise<SealingIdentity> => {
  const record = certificateFor(manifest, role);
  return {
    signer: await signerFor(record.keyName),
    certificate: der(record.certificate),
    chain: [der(manifest.sealCa.certificate), der(manifest.root.certificate)],
    crls: [crlDer(manifest.sealCa.crl), crlDer(manifest.root.crl)],
  };
};

/** The identity of an applicant seal certificate issued by the platform seal, signing with `signer`. */
export const applicantSealIdentity = (manifest: TrustManifest, certificate: Uint8Array, signer: Signer): SealingIdentity => ({
  signer,
  certificate,
  chain: [der(manifest.platform.certificate), der(manifest.sealCa.certificate), der(manifest.root.certificate)],
  crls: [crlDer(manifest.platform.crl), crlDer(manifest.sealCa.crl), crlDer(manifest.root.crl)],
});

/** The published trust anchor (DER). */
export const rootCertificateOf = (manifest: TrustManifest): Uint8Array => der(manifest.root.certificate);

export interface Revocation {
  /** Hex serial number of the certificate to revoke. */
  readonly serialNumber: string;
  readonly reason: RevocationReason;
  readonly at: Date;
  /** Set for an applicant seal certificate, which the manifest does not list: its issuer is the platform seal. */
  readonly issuedBy?: 'platform';
}

const issuerOf = (manifest: TrustManifest, serial: string, issuedBy?: 'platform'): AuthorityName => {
  if (issuedBy === 'platform') return 'platform';
  if (serial === manifest.sealCa.serialNumber) return 'root';
  const underSealCa = [manifest.platform, manifest.tsa, ...Object.values(manifest.agencies)];
  if (underSealCa.some((c) => c.serialNumber === serial)) return 'sealCa';
  throw new TrustHierarchyError(`received serial number ${serial}; expected the serial of a certificate in the manifest, or issuedBy 'platform' for an applicant seal`);
};

/** Revokes a certificate: re-issues the CRL of its issuing CA (the root's only for the Seal CA). */
export const revoke = async (manifest: TrustManifest, { serialNumber, reason, at, issuedBy }: Revocation, keys: KeyResolver): Promise<TrustManifest> => {
  const serial = serialNumber.toLowerCase().replace(/^(00)+(?=.)/, '');
  const ca = issuerOf(manifest, serial, issuedBy);
  const authority = manifest[ca];
  if (authority.revoked.some((r) => r.serialNumber === serial)) return manifest;
  // X.509 times have whole seconds: record what the CRL will state.
  const revokedAt = new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString();
  const revoked = [...authority.revoked, { serialNumber: serial, revokedAt, reason }];
  const nextUpdate = ca === 'root' ? rootCrlWindowEnd(manifest) : new Date(at.getTime() + manifest.crlDays * DAY);
  return { ...manifest, [ca]: await withCrl(authority, revoked, authority.crlNumber + 1, at, nextUpdate, keys) };
};

/** Re-issues the short-lived CRLs (Seal CA and platform seal) for a new window starting at `clock()`; never touches the root key. */
export const refreshCrls = async (manifest: TrustManifest, keys: KeyResolver, clock: () => Date): Promise<TrustManifest> => {
  const now = clock();
  const nextUpdate = new Date(now.getTime() + manifest.crlDays * DAY);
  const refreshed = (ca: 'sealCa' | 'platform') => withCrl(manifest[ca], manifest[ca].revoked, manifest[ca].crlNumber + 1, now, nextUpdate, keys);
  return { ...manifest, sealCa: await refreshed('sealCa'), platform: await refreshed('platform') };
};
