/**
 * CMS SignedData (RFC 5652) as PAdES baseline signatures (ETSI EN 319 142-1) and RFC 3161
 * timestamp tokens need it: one signer identified by issuer and serial number, ECDSA P-256 with
 * SHA-256, signed attributes content-type, message-digest and signing-certificate-v2 (RFC 5035).
 * No signing-time attribute: PAdES forbids it, the time lives in the signature dictionary's /M.
 */
import { createHash } from 'node:crypto';
import type { Signer } from '../../seal/signer.ts';
import { readCertificateFields } from './certificate-fields.ts';
import { algorithm, contextTag, octetString, oid, retag, sequence, setOf, smallInteger, tlv } from './der.ts';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
} as const;

const sha256 = (bytes: Uint8Array): Uint8Array => createHash('sha256').update(bytes).digest();

/** Attribute ::= SEQUENCE { attrType OID, attrValues SET OF value }. */
export const attribute = (type: string, ...values: readonly Uint8Array[]): Uint8Array => sequence(oid(type), setOf(...values));

/** SigningCertificateV2 with one ESSCertIDv2; hashAlgorithm is omitted because SHA-256 is its DEFAULT (DER forbids encoding defaults). */
const signingCertificateV2 = (certificate: Uint8Array, issuer: Uint8Array, serialNumber: Uint8Array): Uint8Array => {
  const issuerSerial = sequence(sequence(tlv(contextTag(4), issuer)), serialNumber);
  const essCertIdV2 = sequence(octetString(sha256(certificate)), issuerSerial);
  return sequence(sequence(essCertIdV2));
};

export interface SignedDataRequest {
  readonly signer: Signer;
  /** DER certificate of `signer`'s key. */
  readonly certificate: Uint8Array;
  /** Further DER certificates to carry (the chain), so a verifier needs only the trust anchor. */
  readonly chain: readonly Uint8Array[];
  /** SHA-256 of the signed content (for a detached signature: of the bytes it covers). */
  readonly contentDigest: Uint8Array;
  /** eContentType; id-data unless stated. */
  readonly contentType?: string;
  /** eContent to encapsulate; absent means detached (PAdES). */
  readonly content?: Uint8Array;
  /** Unsigned attributes, computed from the signature value (e.g. its timestamp). */
  readonly unsignedAttributes?: (signatureValue: Uint8Array) => Promise<readonly Uint8Array[]>;
}

/** Builds a DER ContentInfo holding SignedData with one ECDSA-SHA256 SignerInfo. */
export const createSignedData = async (request: SignedDataRequest): Promise<Uint8Array> => {
  const { signer, certificate, chain, contentDigest, contentType = OID.data, content, unsignedAttributes } = request;
  if (contentDigest.length !== 32) throw new RangeError(`received a content digest of ${contentDigest.length} bytes; expected 32 (SHA-256)`);
  const { issuer, serialNumber } = readCertificateFields(certificate);

  const signedAttributes = setOf(
    attribute(OID.contentType, oid(contentType)),
    attribute(OID.messageDigest, octetString(contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(certificate, issuer, serialNumber)),
  );
  // The signature covers the DER SET OF (tag 0x31); in the SignerInfo the same bytes carry [0] IMPLICIT.
  const signatureValue = await signer.signDigest(sha256(signedAttributes));
  const unsigned = unsignedAttributes ? await unsignedAttributes(signatureValue) : [];

  const signerInfo = sequence(
    smallInteger(1),
    sequence(issuer, serialNumber),
    algorithm(OID.sha256),
    retag(signedAttributes, contextTag(0)),
    algorithm(OID.ecdsaWithSha256),
    octetString(signatureValue),
    ...(unsigned.length > 0 ? [retag(setOf(...unsigned), contextTag(1))] : []),
  );

  const encapsulated = content === undefined ? sequence(oid(contentType)) : sequence(oid(contentType), tlv(contextTag(0), octetString(content)));
  const signedData = sequence(
    // RFC 5652 §5.1: version 1 for id-data content with v1 SignerInfos, 3 for any other content type.
    smallInteger(contentType === OID.data ? 1 : 3),
    setOf(algorithm(OID.sha256)),
    encapsulated,
    // [0] IMPLICIT SET OF Certificate; signer first, kept in chain order rather than sorted (CMS is BER here).
    tlv(contextTag(0), certificate, ...chain),
    setOf(signerInfo),
  );
  return sequence(oid(OID.signedData), tlv(contextTag(0), signedData));
};
