/**
 * The applicant seal certificate: the digital replacement of the 인감증명서. The citizen holds no
 * key; after verifying their identity the platform seal certifies *who* applied (name, birth date,
 * keyed hash of the resident number), *how* that was established (identity provider, assurance
 * level, time) and *what* they applied for (SHA-256 of the application, petition id).
 *
 * Which key does it certify? A one-time key per seal (`createOneTimeSealKey`), not the platform
 * seal's own key:
 * - Certifying the platform seal's key again under the applicant's name would give two certificates
 *   one key and one key identifier; OpenSSL and NSS find issuers by key identifier, so the seal
 *   would look self-issued and chain building gets ambiguous. It would also make a CA key sign
 *   documents, and its signature would prove nothing a platform-seal signature does not.
 * - A one-time key lives in memory only: it signs the one application the certificate names and is
 *   discarded. Nothing is stored or protected afterwards and no KMS key is created per citizen
 *   (KMS bills each key monthly); the trust rests on the platform seal (a KMS key) that signed the
 *   certificate, and a signature by the one-time key can only ever be over that application.
 * The certificate is an ordinary end-entity `seal` certificate chaining root → Seal CA → platform seal.
 *
 * The binding travels in a private, non-critical extension (OID_APPLICANT_SEAL_BINDING) whose value
 * is a UTF8String of RFC 8785 canonical JSON. Chosen over a positional DER SEQUENCE because it names
 * its fields: `openssl x509 -text` prints it readably as is, with no ASN.1 module at hand.
 */
import { generateKeyPairSync } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { ASSURANCE_LEVELS } from '../petition/model.ts';
import { decodeName, describeCertificate, issueCertificate, readCertificate } from './certificate.ts';
import { parseCrl, type ParsedCrl } from './crl.ts';
import { fromDer, textOf, toDer, utf8String } from './der.ts';
import { OID_APPLICANT_SEAL_BINDING } from './oids.ts';
import type { SealingIdentity } from './sealing-identity.ts';
import { SignerUnavailableError, type Signer } from './signer.ts';
import { crlDistributionPointOf } from './trust-hierarchy.ts';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

const bindingSchema = z.strictObject({
  birthDate: z.iso.date(),
  /** HMAC-SHA256 of the resident registration number (hex): a 13-digit number is refused by shape. */
  rrnKeyedHash: z.string().regex(HEX_SHA256, 'expected 64 lowercase hex digits (HMAC-SHA256), never the number itself'),
  identityProvider: z.string().min(1),
  assuranceLevel: z.enum(ASSURANCE_LEVELS),
  verifiedAt: z.iso.datetime({ offset: true }),
  applicationDigest: z.string().regex(HEX_SHA256, 'expected the SHA-256 of the application as 64 lowercase hex digits'),
  petitionId: z.string().min(1),
});

/** What an applicant seal certificate binds together. */
export type ApplicantSealBinding = z.infer<typeof bindingSchema>;

export interface ApplicantSealRequest {
  /** The platform seal, which issues applicant seals (its CRL lists the revoked ones). */
  readonly platformSeal: SealingIdentity;
  readonly applicant: { readonly name: string } & Omit<ApplicantSealBinding, 'applicationDigest' | 'petitionId'>;
  readonly applicationDigest: string;
  readonly petitionId: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SPKI of the key the seal certifies: a one-time key (see above). */
  readonly publicKeySpki: Uint8Array;
  /** Base URL of the published trust material: the seal then names the platform seal CRL there. */
  readonly publicBaseUrl?: string;
}

/** The request cannot become an applicant seal (invalid binding, validity beyond the platform seal). */
export class ApplicantSealRequestError extends Error {
  override readonly name = 'ApplicantSealRequestError';
}

export type ApplicantSealUnusableReason = 'expired' | 'not-yet-valid' | 'revoked' | 'not-an-applicant-seal' | 'crl-not-applicable';

/** An applicant seal must not be used: `reason` says why. */
export class ApplicantSealUnusableError extends Error {
  override readonly name = 'ApplicantSealUnusableError';
  constructor(readonly reason: ApplicantSealUnusableReason, message: string) {
    super(message);
  }
}

/** Issues a DER applicant seal certificate signed by the platform seal. */
export const issueApplicantSeal = async (request: ApplicantSealRequest): Promise<Uint8Array> => {
  const { platformSeal, applicant: { name, ...identity }, applicationDigest, petitionId, notBefore, notAfter } = request;
  const parsed = bindingSchema.safeParse({ ...identity, applicationDigest, petitionId });
  if (!parsed.success) {
    // Paths and messages only: the values are personal data and stay out of logs.
    throw new ApplicantSealRequestError(`received an invalid applicant seal binding (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  }
  const platformNotAfter = readCertificate(platformSeal.certificate).notAfter;
  if (notAfter > platformNotAfter) {
    throw new ApplicantSealRequestError(`received notAfter ${notAfter.toISOString()}; expected no later than the platform seal's ${platformNotAfter.toISOString()}`);
  }
  return issueCertificate({
    subject: { commonName: name, country: 'KR' },
    issuer: { certificate: platformSeal.certificate, signer: platformSeal.signer },
    publicKeySpki: request.publicKeySpki,
    notBefore,
    notAfter,
    profile: 'seal',
    crlDistributionPoint: crlDistributionPointOf(request.publicBaseUrl, 'platform'),
    extraExtensions: [{ id: OID_APPLICANT_SEAL_BINDING, critical: false, value: toDer(utf8String(canonicalize(parsed.data)!)) }],
  });
};

/** An applicant seal certificate, read back. */
export interface ApplicantSeal extends ApplicantSealBinding {
  readonly name: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly authorityKeyIdentifier: string | undefined;
}

/** Reads the applicant and binding of an applicant seal certificate (no signature or validity check). */
export const readApplicantSeal = (der: Uint8Array): ApplicantSeal => {
  const parts = readCertificate(der);
  const extension = parts.extensions.find((e) => e.id === OID_APPLICANT_SEAL_BINDING);
  const binding = extension ? bindingSchema.safeParse(JSON.parse(textOf(fromDer(extension.value)))) : undefined;
  if (!binding?.success) {
    throw new ApplicantSealUnusableError('not-an-applicant-seal', `received certificate ${parts.serialNumber} ${extension ? 'with an unreadable' : 'without a'} binding; expected extension ${OID_APPLICANT_SEAL_BINDING}`);
  }
  const { serialNumber, notBefore, notAfter, authorityKeyIdentifier } = describeCertificate(der);
  return { name: decodeName(fromDer(parts.subjectDer)).commonName, ...binding.data, serialNumber, notBefore, notAfter, authorityKeyIdentifier };
};

/** Returns the seal if usable at `at` under `crl` (the platform seal's current CRL, DER or parsed); throws ApplicantSealUnusableError otherwise. */
export const checkApplicantSealUsable = (der: Uint8Array, { at, crl }: { at: Date; crl: Uint8Array | ParsedCrl }): ApplicantSeal => {
  const seal = readApplicantSeal(der);
  const list = crl instanceof Uint8Array ? parseCrl(crl) : crl;
  if (list.authorityKeyIdentifier !== seal.authorityKeyIdentifier) {
    throw new ApplicantSealUnusableError('crl-not-applicable', `received a CRL of issuer key ${list.authorityKeyIdentifier}; expected the CRL of the seal's issuer ${seal.authorityKeyIdentifier}`);
  }
  if (list.thisUpdate > at || (list.nextUpdate && list.nextUpdate < at)) {
    throw new ApplicantSealUnusableError('crl-not-applicable', `received a CRL valid ${list.thisUpdate.toISOString()}..${list.nextUpdate?.toISOString()}; expected one current at ${at.toISOString()}`);
  }
  const entry = list.revoked.find((r) => r.serialNumber === seal.serialNumber); // both as describeCertificate writes them
  if (entry && entry.revokedAt <= at) {
    throw new ApplicantSealUnusableError('revoked', `applicant seal ${seal.serialNumber} was revoked at ${entry.revokedAt.toISOString()} (${entry.reason ?? 'unspecified'}); expected an unrevoked seal at ${at.toISOString()}`);
  }
  if (at > seal.notAfter) {
    throw new ApplicantSealUnusableError('expired', `applicant seal ${seal.serialNumber} expired at ${seal.notAfter.toISOString()}; expected use before then, received ${at.toISOString()}`);
  }
  if (at < seal.notBefore) {
    throw new ApplicantSealUnusableError('not-yet-valid', `applicant seal ${seal.serialNumber} is valid from ${seal.notBefore.toISOString()}; received use at ${at.toISOString()}`);
  }
  return seal;
};

/** A one-time key for one applicant seal: held in memory, never stored; `discard` erases it after its one signature. */
export const createOneTimeSealKey = (): Signer & { discard(): void } => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const secret = new Uint8Array(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  let discarded = false;
  return {
    keyId: `one-time:${Buffer.from(spki.subarray(-8)).toString('hex')}`,
    async signDigest(digest: Uint8Array) {
      if (discarded) throw new SignerUnavailableError('received a signing request for a discarded one-time seal key; expected a new key per applicant seal');
      return p256.sign(digest, secret, { prehash: false, format: 'der' });
    },
    async publicKeySpki() {
      return spki;
    },
    discard() {
      secret.fill(0);
      discarded = true;
    },
  };
};
