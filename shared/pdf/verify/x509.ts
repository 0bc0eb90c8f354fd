/**
 * X.509 certificates (RFC 5280 §4.1) read for path validation: exact byte slices of the names
 * (matched byte for byte, as our own PKI writes them), the key, the signed part and the
 * extensions a validator must honour. No signature checking here: see chain.ts.
 */
import {
  bitStringBytes, childrenOf, contentOf, encodingOf, expectTag, integerHex, MalformedDerError, readOid, readTime, readWhole,
  smallInteger, TAG, TAGS, type Tlv,
} from './asn1.ts';
import { latin1, utf8 } from '../bytes.ts';
import { OIDS } from './oids.ts';
import type { CertificateSummary } from './verdict.ts';

export interface Extension {
  readonly id: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** keyUsage bits (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = { digitalSignature: 0, nonRepudiation: 1, keyCertSign: 5, cRLSign: 6 } as const;

export interface Certificate {
  readonly der: Uint8Array;
  /** DER of tbsCertificate: what the issuer signed. */
  readonly tbs: Uint8Array;
  /** Content octets of serialNumber (two's complement, as encoded). */
  readonly serial: Uint8Array;
  /** Upper-case hex without leading zero bytes. */
  readonly serialHex: string;
  /** DER of the issuer and subject Names. */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
  readonly isCa: boolean;
  readonly pathLength?: number;
  /** keyUsage bits as set, or undefined when the extension is absent (any use allowed). */
  readonly keyUsage?: ReadonlySet<number>;
  readonly extendedKeyUsage?: readonly string[];
  readonly extensions: readonly Extension[];
  /** Critical extensions this verifier does not process: RFC 5280 §4.2 says reject the certificate. */
  readonly unknownCriticalExtensions: readonly string[];
}

const PROCESSED_EXTENSIONS: ReadonlySet<string> = new Set([
  OIDS.basicConstraints, OIDS.keyUsage, OIDS.extKeyUsage, OIDS.subjectKeyIdentifier, OIDS.authorityKeyIdentifier,
  OIDS.subjectAltName, OIDS.crlDistributionPoints, OIDS.certificatePolicies,
]);

/** Reads an AlgorithmIdentifier's OID. */
export const readAlgorithm = (bytes: Uint8Array, tlv: Tlv | undefined): string => readOid(bytes, childrenOf(bytes, expectTag(tlv, TAG.SEQUENCE, 'an AlgorithmIdentifier'))[0]!);

/** Reads the Extensions SEQUENCE (certificates and CRLs alike); duplicate extensions are refused (RFC 5280 §4.2). */
export const readExtensions = (bytes: Uint8Array, list: Tlv): Extension[] => {
  const extensions: Extension[] = [];
  for (const item of childrenOf(bytes, list, TAG.SEQUENCE)) {
    const parts = childrenOf(bytes, item, TAG.SEQUENCE);
    const id = readOid(bytes, parts[0]!);
    const critical = parts.length === 3 && parts[1]!.tag === TAGS.BOOLEAN && contentOf(bytes, parts[1]!)[0] !== 0;
    const value = contentOf(bytes, expectTag(parts.at(-1), TAG.OCTET_STRING, `the value of extension ${id}`));
    if (extensions.some((e) => e.id === id)) throw new MalformedDerError(`received extension ${id} twice; expected at most one instance`);
    extensions.push({ id, critical, value });
  }
  return extensions;
};

const readKeyUsage = (value: Uint8Array): Set<number> => {
  const tlv = readWhole(value, TAGS.BIT_STRING);
  const content = contentOf(value, tlv);
  const bits = new Set<number>();
  for (let i = 1; i < content.length; i++) for (let bit = 0; bit < 8; bit++) if (content[i]! & (0x80 >> bit)) bits.add((i - 1) * 8 + bit);
  return bits;
};

/** Parses a DER certificate; throws MalformedDerError when it is not one. */
export const parseCertificate = (der: Uint8Array): Certificate => {
  const [tbsTlv, algorithmTlv, signatureTlv, ...extra] = childrenOf(der, readWhole(der, TAG.SEQUENCE));
  if (extra.length > 0) throw new MalformedDerError('received a Certificate with more than three parts; expected tbsCertificate, signatureAlgorithm, signatureValue');
  const fields = childrenOf(der, expectTag(tbsTlv, TAG.SEQUENCE, 'tbsCertificate'));
  const rest = fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
  const [serialTlv, innerAlgorithm, issuerTlv, validityTlv, subjectTlv, spkiTlv, ...optional] = rest;
  expectTag(serialTlv, TAG.INTEGER, 'serialNumber');
  const signatureAlgorithm = readAlgorithm(der, algorithmTlv);
  if (readAlgorithm(der, innerAlgorithm) !== signatureAlgorithm) throw new MalformedDerError('received a certificate whose two signature algorithms differ; expected the same (RFC 5280 §4.1.1.2)');
  const [notBefore, notAfter] = childrenOf(der, expectTag(validityTlv, TAG.SEQUENCE, 'validity'));
  if (!notBefore || !notAfter) throw new MalformedDerError('received a validity without two times; expected notBefore and notAfter');
  expectTag(issuerTlv, TAG.SEQUENCE, 'issuer');
  expectTag(subjectTlv, TAG.SEQUENCE, 'subject');
  expectTag(spkiTlv, TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const extensionsTlv = optional.find((t) => t.tag === 0xa3);
  const extensions = extensionsTlv ? readExtensions(der, childrenOf(der, extensionsTlv)[0] ?? expectTag(undefined, TAG.SEQUENCE, 'extensions')) : [];
  const extension = (id: string) => extensions.find((e) => e.id === id)?.value;

  let isCa = false;
  let pathLength: number | undefined;
  const basicConstraints = extension(OIDS.basicConstraints);
  if (basicConstraints) {
    const parts = childrenOf(basicConstraints, readWhole(basicConstraints, TAG.SEQUENCE));
    const caFlag = parts[0]?.tag === TAGS.BOOLEAN ? parts.shift() : undefined;
    isCa = caFlag !== undefined && contentOf(basicConstraints, caFlag)[0] !== 0;
    if (parts[0]) pathLength = smallInteger(basicConstraints, parts[0]);
  }
  const keyUsageValue = extension(OIDS.keyUsage);
  const ekuValue = extension(OIDS.extKeyUsage);
  return {
    der,
    tbs: encodingOf(der, tbsTlv!),
    serial: contentOf(der, serialTlv!),
    serialHex: integerHex(der, serialTlv!),
    issuer: encodingOf(der, issuerTlv!),
    subject: encodingOf(der, subjectTlv!),
    notBefore: readTime(der, notBefore),
    notAfter: readTime(der, notAfter),
    spki: encodingOf(der, spkiTlv!),
    signatureAlgorithm,
    signature: bitStringBytes(der, signatureTlv!),
    isCa,
    ...(pathLength === undefined ? {} : { pathLength }),
    ...(keyUsageValue ? { keyUsage: readKeyUsage(keyUsageValue) } : {}),
    ...(ekuValue ? { extendedKeyUsage: childrenOf(ekuValue, readWhole(ekuValue, TAG.SEQUENCE)).map((t) => readOid(ekuValue, t)) } : {}),
    extensions,
    unknownCriticalExtensions: extensions.filter((e) => e.critical && !PROCESSED_EXTENSIONS.has(e.id)).map((e) => e.id),
  };
};

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.4': 'SN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O',
  '2.5.4.11': 'OU', '2.5.4.42': 'GN', '2.5.4.97': 'organizationIdentifier', '1.2.840.113549.1.9.1': 'emailAddress',
};

const directoryString = (bytes: Uint8Array, tlv: Tlv): string => {
  const content = contentOf(bytes, tlv);
  switch (tlv.tag) {
    case TAGS.UTF8_STRING:
      return utf8(content) ?? `#${latin1(content)}`;
    case TAGS.BMP_STRING: {
      let out = '';
      for (let i = 0; i + 1 < content.length; i += 2) out += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
      return out;
    }
    default:
      return latin1(content);
  }
};

const escapeValue = (value: string): string => value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`);

/** A Name as RFC 4514 text, most specific first (`CN=…, O=…, C=KR`), as pdfsig and openssl print it. */
export const nameToString = (name: Uint8Array): string => {
  // Cached certificates keep their Name slices, so a WeakMap answers repeat questions across files.
  let text = nameTexts.get(name);
  if (text === undefined) {
    text = formatName(name);
    nameTexts.set(name, text);
  }
  return text;
};

const nameTexts = new WeakMap<Uint8Array, string>();

const formatName = (name: Uint8Array): string => {
  try {
    const rdns = childrenOf(name, readWhole(name, TAG.SEQUENCE)).map((rdn) =>
      childrenOf(name, rdn, TAG.SET).map((attribute) => {
        const [type, value] = childrenOf(name, attribute, TAG.SEQUENCE);
        const id = readOid(name, type!);
        return `${ATTRIBUTE_NAMES[id] ?? id}=${value ? escapeValue(directoryString(name, value)) : ''}`;
      }).join('+'));
    return rdns.reverse().join(', ');
  } catch {
    return '(unreadable name)';
  }
};

/** The common name of a Name, or its whole text when it has none. */
export const commonNameOf = (name: Uint8Array): string => {
  const text = nameToString(name);
  const match = /(?:^|, )CN=((?:\\.|[^,])*)/.exec(text);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : text;
};

/** The report's view of a certificate. */
export const summarize = (certificate: Certificate, sha256Hex: string): CertificateSummary => ({
  subject: nameToString(certificate.subject),
  issuer: nameToString(certificate.issuer),
  serialNumber: certificate.serialHex,
  notBefore: certificate.notBefore.toISOString(),
  notAfter: certificate.notAfter.toISOString(),
  sha256: sha256Hex,
});
