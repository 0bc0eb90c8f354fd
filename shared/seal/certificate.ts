/**
 * X.509 v3 certificates of the hanbeon PKI (DESIGN §6). forge cannot sign ECDSA, so the
 * TBSCertificate is assembled with `forge.asn1`, hashed here and signed through the Signer port
 * (KMS or the local key store); the signature is ecdsa-with-SHA256 over P-256.
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import {
  bitString, boolean, childrenOf, contextChild, explicit, fromDer, implicitPrimitive, integer, integerHex, namedBits,
  octetString, oid, oidOf, preEncoded, primitiveBytes, printableString, sequence, setOf, textOf, timeOf, toDer, unsignedInteger,
  utf8String, x509Time, type Asn1,
} from './der.ts';
import {
  OID_AUTHORITY_KEY_IDENTIFIER, OID_BASIC_CONSTRAINTS, OID_COMMON_NAME, OID_COUNTRY, OID_CRL_DISTRIBUTION_POINTS, OID_ECDSA_WITH_SHA256,
  OID_EXT_KEY_USAGE, OID_KEY_USAGE, OID_KP_DOCUMENT_SIGNING, OID_KP_EMAIL_PROTECTION, OID_KP_TIME_STAMPING, OID_ORGANIZATION,
  OID_ORGANIZATIONAL_UNIT, OID_SUBJECT_KEY_IDENTIFIER,
} from './oids.ts';
import type { Signer } from './signer.ts';

/** The parts of a name the platform uses; country is a PrintableString, the rest UTF8String (Korean works). */
export interface DistinguishedName {
  readonly commonName: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly country?: string;
}

/**
 * - `root-ca`: the offline trust anchor.
 * - `intermediate-ca`: the Seal CA.
 * - `platform-seal`: a CA that also seals documents: it issues applicant seal certificates (pathLen 0).
 * - `seal`: an end-entity document-sealing certificate (agency seals, applicant seals).
 * - `tsa`: the RFC 3161 timestamping authority.
 */
export type CertificateProfile = 'root-ca' | 'intermediate-ca' | 'platform-seal' | 'seal' | 'tsa';

/** An extension as issued: its OID, criticality and DER value (the content of extnValue). */
export interface CertificateExtension {
  readonly id: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

export interface CertificateRequest {
  readonly subject: DistinguishedName;
  /** The issuing CA's certificate and key, or `{ selfSigned }` for a root. */
  readonly issuer: { readonly certificate: Uint8Array; readonly signer: Signer } | { readonly selfSigned: Signer };
  /** DER SubjectPublicKeyInfo of the certified key (for a self-signed root, the signer's own). */
  readonly publicKeySpki: Uint8Array;
  /** Big-endian positive serial number; @default 16 random bytes */
  readonly serialNumber?: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly profile: CertificateProfile;
  /** Path length constraint of a CA profile. @default 0 */
  readonly pathLength?: number;
  /** URI where the issuer's CRL is published; ignored for a self-signed root. */
  readonly crlDistributionPoint?: string;
  /** Additional (private) extensions, e.g. the applicant seal binding. */
  readonly extraExtensions?: readonly CertificateExtension[];
}

/** A certificate cannot be issued as asked (inconsistent request or mismatched issuer key). */
export class CertificateIssuanceError extends Error {
  override readonly name = 'CertificateIssuanceError';
}

const KEY_USAGE = { digitalSignature: 0, nonRepudiation: 1, keyCertSign: 5, cRLSign: 6 } as const;

export const ECDSA_WITH_SHA256 = (): Asn1 => sequence(oid(OID_ECDSA_WITH_SHA256));

/** A fresh serial number: 16 random bytes, first byte in 0x40..0x7f so it is positive and always 16 bytes long. */
export const randomSerialNumber = (): Uint8Array => {
  const bytes = new Uint8Array(randomBytes(16));
  bytes[0] = 0x40 | (bytes[0]! & 0x3f);
  return bytes;
};

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());

/** Name (RDNSequence) with one attribute per RDN, in the order C, O, OU, CN. */
export const encodeName = (name: DistinguishedName): Asn1 => {
  const rdn = (id: string, value: Asn1) => setOf(sequence(oid(id), value));
  return sequence(
    ...(name.country ? [rdn(OID_COUNTRY, printableString(name.country))] : []),
    ...(name.organization ? [rdn(OID_ORGANIZATION, utf8String(name.organization))] : []),
    ...(name.organizationalUnit ? [rdn(OID_ORGANIZATIONAL_UNIT, utf8String(name.organizationalUnit))] : []),
    rdn(OID_COMMON_NAME, utf8String(name.commonName)),
  );
};

const NAME_KEYS: Record<string, keyof DistinguishedName> = {
  [OID_COMMON_NAME]: 'commonName', [OID_ORGANIZATION]: 'organization', [OID_ORGANIZATIONAL_UNIT]: 'organizationalUnit', [OID_COUNTRY]: 'country',
};

/** Reads the attributes of a Name node that the platform uses. */
export const decodeName = (node: Asn1): DistinguishedName => {
  const parts: Record<string, string> = {};
  for (const attribute of childrenOf(node).flatMap((rdn) => childrenOf(rdn))) {
    const [type, value] = childrenOf(attribute);
    const key = NAME_KEYS[oidOf(type)];
    if (key) parts[key] = textOf(value);
  }
  return { commonName: parts.commonName ?? '', ...parts };
};

/** SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2, method 1). */
export const keyIdentifierOf = (publicKeySpki: Uint8Array): Uint8Array => {
  const [, subjectPublicKey] = childrenOf(fromDer(publicKeySpki));
  return new Uint8Array(createHash('sha1').update(primitiveBytes(subjectPublicKey)).digest());
};

/** One Extension: SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }. */
export const encodeExtension = ({ id, critical, value }: CertificateExtension): Asn1 =>
  sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));

export const authorityKeyIdentifierExtension = (keyIdentifier: Uint8Array): CertificateExtension => ({
  id: OID_AUTHORITY_KEY_IDENTIFIER, critical: false, value: toDer(sequence(implicitPrimitive(0, keyIdentifier))),
});

const keyUsage = (...bits: number[]): CertificateExtension => ({ id: OID_KEY_USAGE, critical: true, value: toDer(namedBits(bits)) });
const basicConstraints = (ca: boolean, pathLength?: number): CertificateExtension => ({
  id: OID_BASIC_CONSTRAINTS,
  critical: ca,
  value: toDer(ca ? sequence(boolean(true), ...(pathLength === undefined ? [] : [integer(pathLength)])) : sequence()),
});
const extKeyUsage = (critical: boolean, ...purposes: string[]): CertificateExtension => ({
  id: OID_EXT_KEY_USAGE, critical, value: toDer(sequence(...purposes.map(oid))),
});

/**
 * Seal EKU: emailProtection is what NSS (pdfsig) and Acrobat check for a document signer, and
 * RFC 9336 documentSigning states the actual purpose for newer validators; CAs carry no EKU at all,
 * because NSS and OpenSSL would then restrict every certificate below them to it.
 */
const profileExtensions = (profile: CertificateProfile, pathLength: number): CertificateExtension[] => {
  const { digitalSignature, nonRepudiation, keyCertSign, cRLSign } = KEY_USAGE;
  switch (profile) {
    case 'root-ca':
      return [basicConstraints(true), keyUsage(keyCertSign, cRLSign)];
    case 'intermediate-ca':
      return [basicConstraints(true, pathLength), keyUsage(keyCertSign, cRLSign)];
    case 'platform-seal':
      return [basicConstraints(true, pathLength), keyUsage(digitalSignature, nonRepudiation, keyCertSign, cRLSign)];
    case 'seal':
      return [basicConstraints(false), keyUsage(digitalSignature, nonRepudiation), extKeyUsage(false, OID_KP_EMAIL_PROTECTION, OID_KP_DOCUMENT_SIGNING)];
    case 'tsa':
      // RFC 3161 §2.3: the TSA certificate has exactly one EKU, id-kp-timeStamping, marked critical.
      return [basicConstraints(false), keyUsage(digitalSignature), extKeyUsage(true, OID_KP_TIME_STAMPING)];
  }
};

const crlDistributionPoints = (uri: string): CertificateExtension => ({
  id: OID_CRL_DISTRIBUTION_POINTS,
  critical: false,
  // DistributionPoint { distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] } } }
  value: toDer(sequence(sequence(explicit(0, explicit(0, implicitPrimitive(6, Buffer.from(uri, 'ascii'))))))),
});

/** Signs `tbs` with `signer` and wraps it as { tbs, algorithm, signature } (certificates and CRLs alike). */
export const signStructure = async (tbs: Asn1, signer: Signer): Promise<Uint8Array> => {
  const tbsDer = toDer(tbs);
  const signature = await signer.signDigest(sha256(tbsDer));
  return toDer(sequence(preEncoded(tbsDer), ECDSA_WITH_SHA256(), bitString(signature)));
};

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** Issues a DER X.509 v3 certificate signed through the issuer's Signer. */
export const issueCertificate = async (request: CertificateRequest): Promise<Uint8Array> => {
  const { subject, issuer, publicKeySpki, notBefore, notAfter, profile } = request;
  if (!(notAfter > notBefore)) {
    throw new CertificateIssuanceError(`received validity ${notBefore.toISOString()}..${notAfter.toISOString()}; expected notAfter after notBefore`);
  }
  const selfSigned = 'selfSigned' in issuer;
  const signer = selfSigned ? issuer.selfSigned : issuer.signer;
  const issuerSpki = selfSigned ? publicKeySpki : readCertificate(issuer.certificate).publicKeySpki;
  const signerSpki = await signer.publicKeySpki();
  if (!sameBytes(signerSpki, issuerSpki)) {
    throw new CertificateIssuanceError(`received signer ${signer.keyId} whose public key is not the issuer's; expected the key certified by the issuer certificate`);
  }
  const serialNumber = request.serialNumber ?? randomSerialNumber();
  if (serialNumber.length === 0 || (serialNumber[0]! & 0x80) !== 0 || serialNumber.length > 20) {
    throw new CertificateIssuanceError(`received serial number ${Buffer.from(serialNumber).toString('hex')}; expected 1..20 bytes, first below 0x80`);
  }
  const extensions: CertificateExtension[] = [
    ...profileExtensions(profile, request.pathLength ?? 0),
    { id: OID_SUBJECT_KEY_IDENTIFIER, critical: false, value: toDer(octetString(keyIdentifierOf(publicKeySpki))) },
    authorityKeyIdentifierExtension(keyIdentifierOf(issuerSpki)),
    ...(request.crlDistributionPoint && !selfSigned ? [crlDistributionPoints(request.crlDistributionPoint)] : []),
    ...(request.extraExtensions ?? []),
  ];
  const tbs = sequence(
    explicit(0, integer(2)),
    unsignedInteger(serialNumber),
    ECDSA_WITH_SHA256(),
    selfSigned ? encodeName(subject) : preEncoded(readCertificate(issuer.certificate).subjectDer),
    sequence(x509Time(notBefore), x509Time(notAfter)),
    encodeName(subject),
    preEncoded(publicKeySpki),
    explicit(3, sequence(...extensions.map(encodeExtension))),
  );
  return signStructure(tbs, signer);
};

/** The raw parts of a certificate that the PKI reuses (names byte for byte, keys, extensions). */
export interface CertificateParts {
  readonly tbsDer: Uint8Array;
  readonly serialNumber: string;
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKeySpki: Uint8Array;
  readonly extensions: readonly CertificateExtension[];
}

/** Splits a DER certificate into its parts (no signature check). */
export const readCertificate = (der: Uint8Array): CertificateParts => {
  const [tbs] = childrenOf(fromDer(der));
  const fields = childrenOf(tbs);
  const [, serial, , issuerName, validity, subjectName, spki] = fields;
  const [notBefore, notAfter] = childrenOf(validity);
  const extensionList = contextChild(fields, 3);
  const extensions = extensionList ? childrenOf(childrenOf(extensionList)[0]).map(readExtension) : [];
  return {
    tbsDer: toDer(tbs!),
    serialNumber: integerHex(serial),
    issuerDer: toDer(issuerName!),
    subjectDer: toDer(subjectName!),
    notBefore: timeOf(notBefore),
    notAfter: timeOf(notAfter),
    publicKeySpki: toDer(spki!),
    extensions,
  };
};

/** Reads one Extension node. */
export const readExtension = (node: Asn1): CertificateExtension => {
  const parts = childrenOf(node);
  const critical = parts.length === 3 && primitiveBytes(parts[1])[0] !== 0;
  return { id: oidOf(parts[0]), critical, value: primitiveBytes(parts[parts.length - 1]) };
};

/** What an operator or a verifier wants to know about a certificate. */
export interface CertificateDescription {
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  /** Lowercase hex, no leading zero bytes. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  readonly subjectKeyIdentifier: string;
  readonly authorityKeyIdentifier: string | undefined;
}

/** Describes a DER certificate; OpenSSL (node:crypto) parses it first, so a malformed one is refused. */
export const describeCertificate = (der: Uint8Array): CertificateDescription => {
  const x509 = new X509Certificate(der);
  const parts = readCertificate(der);
  const extension = (id: string) => parts.extensions.find((e) => e.id === id)?.value;
  const ski = extension(OID_SUBJECT_KEY_IDENTIFIER);
  const aki = extension(OID_AUTHORITY_KEY_IDENTIFIER);
  const akiKeyId = aki ? contextChild(childrenOf(fromDer(aki)), 0) : undefined;
  return {
    subject: decodeName(fromDer(parts.subjectDer)),
    issuer: decodeName(fromDer(parts.issuerDer)),
    serialNumber: parts.serialNumber,
    notBefore: x509.validFromDate,
    notAfter: x509.validToDate,
    isCa: x509.ca,
    subjectKeyIdentifier: Buffer.from(ski ? primitiveBytes(fromDer(ski)) : keyIdentifierOf(parts.publicKeySpki)).toString('hex'),
    authorityKeyIdentifier: akiKeyId ? Buffer.from(primitiveBytes(akiKeyId)).toString('hex') : undefined,
  };
};
