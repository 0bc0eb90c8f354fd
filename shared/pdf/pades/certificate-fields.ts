/**
 * The fields of an X.509 certificate that a CMS signer needs, read as exact byte slices so that
 * IssuerAndSerialNumber and ESSCertIDv2.issuerSerial repeat the certificate's own encoding.
 */
import { children, readTlv, TAG, type Tlv, MalformedDerError } from './der.ts';

export interface CertificateFields {
  /** DER of the issuer Name, as it appears in the certificate. */
  readonly issuer: Uint8Array;
  /** DER of the serialNumber INTEGER (tag and length included). */
  readonly serialNumber: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const ascii = (bytes: Uint8Array, tlv: Tlv): string => String.fromCharCode(...bytes.subarray(tlv.contentStart, tlv.end));

/** UTCTime (YYMMDDHHMMSSZ, RFC 5280 §4.1.2.5.1) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
const readTime = (bytes: Uint8Array, tlv: Tlv): Date => {
  const text = ascii(bytes, tlv);
  const match = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match || (tlv.tag === TAG.UTC_TIME) !== (match[1]!.length === 2)) throw new MalformedDerError(`received time '${text}'; expected UTCTime or GeneralizedTime in Zulu`);
  const shortYear = Number(match[1]);
  const year = match[1]!.length === 4 ? shortYear : shortYear >= 50 ? 1900 + shortYear : 2000 + shortYear;
  return new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])));
};

/** Reads issuer, serial number and validity from a DER certificate. */
export const readCertificateFields = (certificate: Uint8Array): CertificateFields => {
  const outer = readTlv(certificate, 0, TAG.SEQUENCE);
  const tbs = children(certificate, outer)[0];
  if (!tbs || tbs.tag !== TAG.SEQUENCE) throw new MalformedDerError('received a certificate without tbsCertificate; expected an X.509 Certificate');
  const fields = children(certificate, tbs);
  // version is [0] EXPLICIT and optional (absent means v1).
  const rest = fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
  const [serial, , issuer, validity] = rest;
  if (serial?.tag !== TAG.INTEGER || issuer?.tag !== TAG.SEQUENCE || validity?.tag !== TAG.SEQUENCE) {
    throw new MalformedDerError('received a tbsCertificate whose serialNumber, issuer or validity is missing; expected an X.509 Certificate');
  }
  const [notBefore, notAfter] = children(certificate, validity);
  if (!notBefore || !notAfter) throw new MalformedDerError('received a validity without two times; expected notBefore and notAfter');
  return {
    issuer: certificate.slice(issuer.start, issuer.end),
    serialNumber: certificate.slice(serial.start, serial.end),
    notBefore: readTime(certificate, notBefore),
    notAfter: readTime(certificate, notAfter),
  };
};
