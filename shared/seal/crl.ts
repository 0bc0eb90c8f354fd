/**
 * X.509 v2 certificate revocation lists (RFC 5280 §5), signed through the Signer port like the
 * certificates. Each CA of the hierarchy publishes one; a PAdES signature embeds them so that a
 * document can be validated offline years later (DESIGN §6).
 */
import { createVerify } from 'node:crypto';
import {
  childrenOf, contextChild, enumerated, explicit, fromDer, integer, integerHex, oidOf, preEncoded, primitiveBytes, sequence, timeOf,
  toDer, unsignedInteger, x509Time, type Asn1,
} from './der.ts';
import {
  authorityKeyIdentifierExtension, CertificateIssuanceError, decodeName, ECDSA_WITH_SHA256, encodeExtension, keyIdentifierOf,
  readCertificate, readExtension, signStructure, type DistinguishedName,
} from './certificate.ts';
import { OID_AUTHORITY_KEY_IDENTIFIER, OID_CRL_NUMBER, OID_CRL_REASON, OID_ECDSA_WITH_SHA256 } from './oids.ts';
import type { Signer } from './signer.ts';

/** CRLReason codes (RFC 5280 §5.3.1); value 7 is unused by the standard. */
export const REVOCATION_REASONS = {
  unspecified: 0, keyCompromise: 1, cACompromise: 2, affiliationChanged: 3, superseded: 4,
  cessationOfOperation: 5, certificateHold: 6, removeFromCRL: 8, privilegeWithdrawn: 9, aACompromise: 10,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

export interface RevokedCertificate {
  /** Serial number as hex (any case, leading zeros allowed). */
  readonly serialNumber: string;
  readonly revokedAt: Date;
  readonly reason?: RevocationReason;
}

export interface CrlRequest {
  readonly issuer: { readonly certificate: Uint8Array; readonly signer: Signer };
  readonly revoked: readonly RevokedCertificate[];
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** Monotonically increasing per issuer (cRLNumber). */
  readonly crlNumber: number;
}

const serialBytes = (hex: string): Uint8Array => {
  if (!/^[0-9a-f]+$/i.test(hex)) throw new CertificateIssuanceError(`received serial number "${hex}"; expected hexadecimal digits`);
  return new Uint8Array(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
};

const revokedEntry = ({ serialNumber, revokedAt, reason }: RevokedCertificate): Asn1 =>
  sequence(
    unsignedInteger(serialBytes(serialNumber)),
    x509Time(revokedAt),
    ...(reason ? [sequence(encodeExtension({ id: OID_CRL_REASON, critical: false, value: toDer(enumerated(REVOCATION_REASONS[reason])) }))] : []),
  );

/** Issues a DER v2 CRL with authorityKeyIdentifier and cRLNumber, signed by the issuing CA. */
export const issueCrl = async ({ issuer, revoked, thisUpdate, nextUpdate, crlNumber }: CrlRequest): Promise<Uint8Array> => {
  if (!(nextUpdate > thisUpdate)) {
    throw new CertificateIssuanceError(`received CRL window ${thisUpdate.toISOString()}..${nextUpdate.toISOString()}; expected nextUpdate after thisUpdate`);
  }
  const ca = readCertificate(issuer.certificate);
  if (Buffer.compare(Buffer.from(await issuer.signer.publicKeySpki()), Buffer.from(ca.publicKeySpki)) !== 0) {
    throw new CertificateIssuanceError(`received signer ${issuer.signer.keyId} whose public key is not the CRL issuer's; expected the key of the issuer certificate`);
  }
  const tbs = sequence(
    integer(1),
    ECDSA_WITH_SHA256(),
    preEncoded(ca.subjectDer),
    x509Time(thisUpdate),
    x509Time(nextUpdate),
    ...(revoked.length ? [sequence(...revoked.map(revokedEntry))] : []),
    explicit(0, sequence(
      encodeExtension(authorityKeyIdentifierExtension(keyIdentifierOf(ca.publicKeySpki))),
      encodeExtension({ id: OID_CRL_NUMBER, critical: false, value: toDer(integer(crlNumber)) }),
    )),
  );
  return signStructure(tbs, issuer.signer);
};

export interface ParsedCrl {
  readonly issuer: DistinguishedName;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly crlNumber: number | undefined;
  /** Hex, lowercase. */
  readonly authorityKeyIdentifier: string | undefined;
  /** Serial numbers as lowercase hex without leading zero bytes (as `describeCertificate` gives them). */
  readonly revoked: readonly RevokedCertificate[];
}

const reasonOf = (code: number): RevocationReason | undefined =>
  (Object.entries(REVOCATION_REASONS) as [RevocationReason, number][]).find(([, value]) => value === code)?.[0];

/** Reads a DER CRL (no signature check: see `crlSignedBy`). */
export const parseCrl = (der: Uint8Array): ParsedCrl => {
  const fields = childrenOf(childrenOf(fromDer(der))[0]);
  // version (v2) comes first when present; issuer, then the times, follow the signature algorithm
  const rest = fields[0]?.type === 2 ? fields.slice(2) : fields.slice(1);
  const [issuerName, thisUpdate, ...tail] = rest;
  const nextUpdate = tail[0] && (tail[0].type === 23 || tail[0].type === 24) ? tail.shift() : undefined;
  const revokedList = tail[0]?.tagClass === 0 ? tail.shift() : undefined;
  const extensions = contextChild(tail, 0);
  const crlExtensions = extensions ? childrenOf(childrenOf(extensions)[0]).map(readExtension) : [];
  const crlNumber = crlExtensions.find((e) => e.id === OID_CRL_NUMBER);
  const aki = crlExtensions.find((e) => e.id === OID_AUTHORITY_KEY_IDENTIFIER);
  const akiKeyId = aki ? contextChild(childrenOf(fromDer(aki.value)), 0) : undefined;
  return {
    issuer: decodeName(issuerName!),
    thisUpdate: timeOf(thisUpdate),
    nextUpdate: nextUpdate ? timeOf(nextUpdate) : undefined,
    crlNumber: crlNumber ? Number.parseInt(integerHex(fromDer(crlNumber.value)), 16) : undefined,
    authorityKeyIdentifier: akiKeyId ? Buffer.from(primitiveBytes(akiKeyId)).toString('hex') : undefined,
    revoked: revokedList ? childrenOf(revokedList).map(readRevokedEntry) : [],
  };
};

const readRevokedEntry = (entry: Asn1): RevokedCertificate => {
  const [serial, date, extensions] = childrenOf(entry);
  const reason = extensions ? childrenOf(extensions).map(readExtension).find((e) => e.id === OID_CRL_REASON) : undefined;
  const code = reason ? primitiveBytes(fromDer(reason.value))[0] : undefined;
  const named = code === undefined ? undefined : reasonOf(code);
  return { serialNumber: integerHex(serial), revokedAt: timeOf(date), ...(named ? { reason: named } : {}) };
};

/** Whether `crl` carries a valid signature by the key of `issuerCertificate`. */
export const crlSignedBy = (crl: Uint8Array, issuerCertificate: Uint8Array): boolean => {
  const [tbs, algorithm, signature] = childrenOf(fromDer(crl));
  if (oidOf(childrenOf(algorithm)[0]) !== OID_ECDSA_WITH_SHA256) return false;
  const spki = readCertificate(issuerCertificate).publicKeySpki;
  return createVerify('sha256').update(toDer(tbs!)).verify({ key: Buffer.from(spki), format: 'der', type: 'spki' }, primitiveBytes(signature));
};

/** Whether the certificate with `serialNumber` (hex) is listed in `crl`. */
export const isRevokedIn = (crl: ParsedCrl, serialNumber: string): boolean => {
  const wanted = serialNumber.toLowerCase().replace(/^(00)+(?=.)/, '');
  return crl.revoked.some((r) => r.serialNumber === wanted);
};
