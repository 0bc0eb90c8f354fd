/**
 * CMS SignedData (RFC 5652 §5) read for verification: the certificates, the encapsulated content
 * (a timestamp token's TSTInfo) and each SignerInfo with its attributes. DER with definite lengths
 * only (what PAdES signers and RFC 3161 TSAs emit in practice); an indefinite-length BER CMS is
 * refused as malformed rather than guessed at.
 */
import { childrenOf, contentOf, encodingOf, expectTag, MalformedDerError, readOid, readWhole, smallInteger, TAG, type Tlv } from './asn1.ts';
import { OIDS } from './oids.ts';
import { readAlgorithm } from './x509.ts';

/** More certificates than any real signature carries: a bound against hostile input. */
const MAX_CERTIFICATES = 64;
const MAX_SIGNER_INFOS = 8;
const MAX_ATTRIBUTES = 64;

export interface SignerInfo {
  /** IssuerAndSerialNumber: DER of the issuer Name and the serial's content octets. */
  readonly sid: { readonly issuer: Uint8Array; readonly serial: Uint8Array } | { readonly subjectKeyIdentifier: Uint8Array };
  readonly digestAlgorithm: string;
  /** The signed attributes DER-encoded as SET OF (tag 0x31): what the signature covers (RFC 5652 §5.4). */
  readonly signedAttributes?: Uint8Array;
  /** Attribute values by type, each value as its DER encoding. */
  readonly signed: ReadonlyMap<string, readonly Uint8Array[]>;
  readonly unsigned: ReadonlyMap<string, readonly Uint8Array[]>;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
}

export interface SignedData {
  readonly encapsulatedContentType: string;
  /** eContent when encapsulated (timestamp tokens); absent for detached signatures. */
  readonly content?: Uint8Array;
  readonly certificates: readonly Uint8Array[];
  readonly signerInfos: readonly SignerInfo[];
}

const readAttributes = (bytes: Uint8Array, set: Tlv): Map<string, Uint8Array[]> => {
  const attributes = new Map<string, Uint8Array[]>();
  const items = childrenOf(bytes, set);
  if (items.length > MAX_ATTRIBUTES) throw new MalformedDerError(`received ${items.length} attributes; expected at most ${MAX_ATTRIBUTES}`);
  for (const item of items) {
    const [type, values] = childrenOf(bytes, item, TAG.SEQUENCE);
    const id = readOid(bytes, type!);
    // RFC 5652 §5.3: an attribute type appears once (its values are a SET); a second instance is malformed.
    if (attributes.has(id)) throw new MalformedDerError(`received attribute ${id} twice; expected one instance`);
    attributes.set(id, childrenOf(bytes, expectTag(values, TAG.SET, `the values of attribute ${id}`)).map((v) => encodingOf(bytes, v)));
  }
  return attributes;
};

const readSignerInfo = (bytes: Uint8Array, tlv: Tlv): SignerInfo => {
  const parts = childrenOf(bytes, tlv, TAG.SEQUENCE);
  const version = smallInteger(bytes, parts[0]!);
  const sidTlv = parts[1];
  let sid: SignerInfo['sid'];
  if (sidTlv?.tag === TAG.SEQUENCE && version === 1) {
    const [issuer, serial] = childrenOf(bytes, sidTlv);
    sid = { issuer: encodingOf(bytes, expectTag(issuer, TAG.SEQUENCE, 'the sid issuer')), serial: contentOf(bytes, expectTag(serial, TAG.INTEGER, 'the sid serial number')) };
  } else if (sidTlv?.tag === 0x80 && version === 3) {
    sid = { subjectKeyIdentifier: contentOf(bytes, sidTlv) };
  } else {
    throw new MalformedDerError(`received SignerInfo version ${version} with sid tag 0x${sidTlv?.tag.toString(16)}; expected v1 IssuerAndSerialNumber or v3 [0] SubjectKeyIdentifier`);
  }
  const digestAlgorithm = readAlgorithm(bytes, parts[2]);
  let index = 3;
  let signedAttributes: Uint8Array | undefined;
  let signed = new Map<string, Uint8Array[]>();
  if (parts[index]?.tag === 0xa0) {
    const attributesTlv = parts[index]!;
    // A copy, whatever the caller passed: on a Node Buffer `.slice()` is a view, and the tag written
    // next would change the caller's bytes (a second parse of the same token then fails).
    signedAttributes = Uint8Array.from(encodingOf(bytes, attributesTlv));
    signedAttributes[0] = TAG.SET;
    signed = readAttributes(bytes, attributesTlv);
    index++;
  }
  const signatureAlgorithm = readAlgorithm(bytes, parts[index]);
  const signature = contentOf(bytes, expectTag(parts[index + 1], TAG.OCTET_STRING, 'the signature value'));
  const unsignedTlv = parts[index + 2];
  const unsigned = unsignedTlv?.tag === 0xa1 ? readAttributes(bytes, unsignedTlv) : new Map<string, Uint8Array[]>();
  return { sid, digestAlgorithm, ...(signedAttributes ? { signedAttributes } : {}), signed, unsigned, signatureAlgorithm, signature };
};

/** Parses a DER ContentInfo holding SignedData; throws MalformedDerError otherwise. */
export const parseSignedData = (der: Uint8Array): SignedData => {
  const [contentType, explicitContent, ...extra] = childrenOf(der, readWhole(der, TAG.SEQUENCE));
  if (readOid(der, contentType!) !== OIDS.signedData || explicitContent?.tag !== 0xa0 || extra.length > 0) {
    throw new MalformedDerError('received a ContentInfo that is not SignedData; expected id-signedData with [0] content');
  }
  const signedDataTlv = childrenOf(der, explicitContent)[0];
  const parts = childrenOf(der, expectTag(signedDataTlv, TAG.SEQUENCE, 'SignedData'));
  smallInteger(der, parts[0]!);
  expectTag(parts[1], TAG.SET, 'digestAlgorithms');
  const [eContentType, eContentExplicit] = childrenOf(der, expectTag(parts[2], TAG.SEQUENCE, 'encapContentInfo'));
  let content: Uint8Array | undefined;
  if (eContentExplicit) {
    const octets = childrenOf(der, expectTag(eContentExplicit, 0xa0, 'eContent'))[0];
    content = contentOf(der, expectTag(octets, TAG.OCTET_STRING, 'eContent OCTET STRING'));
  }
  const rest = parts.slice(3);
  const certificatesTlv = rest[0]?.tag === 0xa0 ? rest.shift() : undefined;
  if (rest[0]?.tag === 0xa1) rest.shift(); // crls: PAdES keeps them in the DSS, not here
  const signerInfosTlv = expectTag(rest[0], TAG.SET, 'signerInfos');
  // Only plain Certificate choices (SEQUENCE); attribute and other certificate formats are skipped.
  const certificates = certificatesTlv ? childrenOf(der, certificatesTlv).filter((c) => c.tag === TAG.SEQUENCE).map((c) => encodingOf(der, c)) : [];
  if (certificates.length > MAX_CERTIFICATES) throw new MalformedDerError(`received ${certificates.length} certificates; expected at most ${MAX_CERTIFICATES}`);
  const signerInfoTlvs = childrenOf(der, signerInfosTlv);
  if (signerInfoTlvs.length > MAX_SIGNER_INFOS) throw new MalformedDerError(`received ${signerInfoTlvs.length} SignerInfos; expected at most ${MAX_SIGNER_INFOS}`);
  return {
    encapsulatedContentType: readOid(der, eContentType!),
    ...(content ? { content } : {}),
    certificates,
    signerInfos: signerInfoTlvs.map((s) => readSignerInfo(der, s)),
  };
};

/** The single value of an attribute, or undefined when absent or multi-valued. */
export const singleValue = (attributes: ReadonlyMap<string, readonly Uint8Array[]>, id: string): Uint8Array | undefined => {
  const values = attributes.get(id);
  return values?.length === 1 ? values[0] : undefined;
};
