/**
 * The signing-certificate attributes (RFC 5035 ESSCertIDv2, RFC 2634 ESSCertID): they bind a
 * signature to one certificate, so a certificate with the same key but other contents (another
 * name, a longer validity) cannot be substituted. Used for the signature and its timestamp.
 */
import { childrenOf, contentOf, encodingOf, expectTag, readWhole, TAG } from './asn1.ts';
import { bytesEqual, toHex } from '../bytes.ts';
import { OIDS } from './oids.ts';
import type { KnownCertificate } from './verification-context.ts';
import { readAlgorithm } from './x509.ts';

export type SigningCertificateOutcome = { readonly ok: boolean; readonly detail: string; readonly unsupported?: boolean };

/** issuerSerial: GeneralNames holding one directoryName [4], and the serial number. */
const issuerSerialMatches = (bytes: Uint8Array, issuerSerial: Uint8Array | undefined, certificate: KnownCertificate): boolean => {
  if (!issuerSerial) return true;
  const [generalNames, serial] = childrenOf(issuerSerial, readWhole(issuerSerial, TAG.SEQUENCE));
  const directoryNames = childrenOf(issuerSerial, expectTag(generalNames, TAG.SEQUENCE, 'GeneralNames')).filter((n) => n.tag === 0xa4);
  const nameMatches = directoryNames.some((n) => {
    const name = childrenOf(issuerSerial, n)[0];
    return name !== undefined && bytesEqual(encodingOf(issuerSerial, name), certificate.issuer);
  });
  return nameMatches && bytesEqual(contentOf(issuerSerial, expectTag(serial, TAG.INTEGER, 'the issuerSerial serial number')), certificate.serial);
};

/** Checks the (single) signing-certificate-v2 or signing-certificate attribute against `certificate`. */
export const checkSigningCertificate = (signed: ReadonlyMap<string, readonly Uint8Array[]>, certificate: KnownCertificate): SigningCertificateOutcome => {
  const v2 = signed.get(OIDS.signingCertificateV2);
  const v1 = signed.get(OIDS.signingCertificate);
  const values = v2 ?? v1;
  if (!values || values.length !== 1 || (v1 && v2)) {
    return { ok: false, detail: values ? 'the signing-certificate attribute must appear once with one value' : 'no signing-certificate-v2 attribute (RFC 5035) binds the signature to its certificate' };
  }
  const value = values[0]!;
  const [ids] = childrenOf(value, readWhole(value, TAG.SEQUENCE));
  const first = childrenOf(value, expectTag(ids, TAG.SEQUENCE, 'the ESSCertID list'))[0];
  const parts = childrenOf(value, expectTag(first, TAG.SEQUENCE, 'the first ESSCertID'));
  if (v2) {
    const hashAlgorithm = parts[0]?.tag === TAG.SEQUENCE ? readAlgorithm(value, parts.shift()) : OIDS.sha256; // DEFAULT sha256
    const hash = contentOf(value, expectTag(parts[0], TAG.OCTET_STRING, 'certHash'));
    const issuerSerial = parts[1] ? encodingOf(value, parts[1]) : undefined;
    if (hashAlgorithm !== OIDS.sha256) return { ok: false, unsupported: true, detail: `signing-certificate-v2 hashes with ${hashAlgorithm}; this verifier checks SHA-256` };
    if (toHex(hash) !== certificate.sha256) return { ok: false, detail: `signing-certificate-v2 names certificate ${toHex(hash).slice(0, 16)}…, not the signer's ${certificate.sha256.slice(0, 16)}…` };
    if (!issuerSerialMatches(value, issuerSerial, certificate)) return { ok: false, detail: "signing-certificate-v2 issuerSerial does not match the signer certificate's issuer and serial number" };
    return { ok: true, detail: `signing-certificate-v2 matches the signer certificate (SHA-256 ${certificate.sha256.slice(0, 16)}…${issuerSerial ? ', issuer and serial' : ''})` };
  }
  // ESSCertID v1 hashes with SHA-1, which this verifier does not compute: only issuerSerial can be checked.
  const issuerSerial = parts[1] ? encodingOf(value, parts[1]) : undefined;
  if (!issuerSerial) return { ok: false, unsupported: true, detail: 'signing-certificate (v1) has only a SHA-1 hash, which this verifier does not check' };
  if (!issuerSerialMatches(value, issuerSerial, certificate)) return { ok: false, detail: "signing-certificate issuerSerial does not match the signer certificate's issuer and serial number" };
  return { ok: true, detail: 'signing-certificate (v1) issuer and serial match the signer certificate (SHA-1 hash not checked)' };
};
