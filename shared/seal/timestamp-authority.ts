/**
 * A local RFC 3161 timestamping authority: it answers `timestamp(digest)` with a TimeStampToken
 * (CMS SignedData over TSTInfo) signed through the Signer port by the TSA certificate of the
 * hierarchy. In AWS it is the same code with a KMS key; a PAdES signature embeds its token.
 */
import { createHash } from 'node:crypto';
import { randomSerialNumber, readCertificate } from './certificate.ts';
import {
  childrenOf, contextChild, explicit, fromDer, generalizedTime, implicitConstructed, integer, integerHex, octetString, oid, oidOf,
  preEncoded, primitiveBytes, sequence, setOf, timeOf, toDer, unsignedInteger, type Asn1,
} from './der.ts';
import {
  OID_CONTENT_TYPE, OID_CT_TST_INFO, OID_ECDSA_WITH_SHA256, OID_MESSAGE_DIGEST, OID_SHA256, OID_SIGNED_DATA,
  OID_SIGNING_CERTIFICATE_V2, OID_TSA_POLICY,
} from './oids.ts';
import type { SealingIdentity, TimestampAuthority } from './sealing-identity.ts';

export interface LocalTimestampAuthorityOptions {
  /** The TSA key and its certificate (profile `tsa`); the chain and CRLs are not put in tokens. */
  readonly identity: Pick<SealingIdentity, 'signer' | 'certificate'>;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** TSTInfo.policy. @default OID_TSA_POLICY */
  readonly policy?: string;
}

/** A digest that is not SHA-256 sized was given to the TSA. */
export class TimestampRequestError extends Error {
  override readonly name = 'TimestampRequestError';
}

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());
const sha256Algorithm = (): Asn1 => sequence(oid(OID_SHA256)); // parameters absent (RFC 5754 §2)
const attribute = (type: string, value: Asn1): Asn1 => sequence(oid(type), setOf(value));

/** An RFC 3161 TSA that signs with a Signer; genTime carries milliseconds, accuracy is one second. */
export class LocalTimestampAuthority implements TimestampAuthority {
  private readonly clock: () => Date;
  private readonly policy: string;

  constructor(private readonly options: LocalTimestampAuthorityOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.policy = options.policy ?? OID_TSA_POLICY;
  }

  /** Returns a DER TimeStampToken whose messageImprint is the SHA-256 `digest`. */
  async timestamp(digest: Uint8Array): Promise<Uint8Array> {
    if (digest.length !== 32) throw new TimestampRequestError(`received a ${digest.length}-byte digest; expected a 32-byte SHA-256 digest`);
    const { signer, certificate } = this.options.identity;
    const tsa = readCertificate(certificate);
    const serial = randomSerialNumber();

    const tstInfo = toDer(sequence(
      integer(1),
      oid(this.policy),
      sequence(sha256Algorithm(), octetString(digest)),
      unsignedInteger(serial),
      generalizedTime(this.clock(), { millis: true }),
      sequence(integer(1)), // accuracy: one second
    ));

    // signing-certificate-v2 binds the token to this exact TSA certificate (hash algorithm defaults to SHA-256).
    const essCertId = sequence(
      octetString(sha256(certificate)),
      sequence(sequence(explicit(4, preEncoded(tsa.issuerDer))), preEncoded(readSerialNode(certificate))),
    );
    const signedAttributes = [
      attribute(OID_CONTENT_TYPE, oid(OID_CT_TST_INFO)),
      attribute(OID_MESSAGE_DIGEST, octetString(sha256(tstInfo))),
      attribute(OID_SIGNING_CERTIFICATE_V2, sequence(sequence(essCertId))),
    ];
    // The signature covers the attributes DER-encoded as a SET OF; the SignerInfo carries them as [0] IMPLICIT.
    const signedAttributesSet = setOf(...signedAttributes);
    const signature = await signer.signDigest(sha256(toDer(signedAttributesSet)));

    const signerInfo = sequence(
      integer(1),
      sequence(preEncoded(tsa.issuerDer), preEncoded(readSerialNode(certificate))),
      sha256Algorithm(),
      implicitConstructed(0, childrenOf(signedAttributesSet)),
      sequence(oid(OID_ECDSA_WITH_SHA256)),
      octetString(signature),
    );
    const signedData = sequence(
      integer(3),
      setOf(sha256Algorithm()),
      sequence(oid(OID_CT_TST_INFO), explicit(0, octetString(tstInfo))),
      implicitConstructed(0, [preEncoded(certificate)]),
      setOf(signerInfo),
    );
    return toDer(sequence(oid(OID_SIGNED_DATA), explicit(0, signedData)));
  }
}

const readSerialNode = (certificate: Uint8Array): Uint8Array => toDer(childrenOf(childrenOf(fromDer(certificate))[0])[1]!);

/** What a TimeStampToken asserts, read without checking its signature. */
export interface TimestampTokenContents {
  readonly policy: string;
  readonly hashAlgorithm: string;
  readonly messageImprint: Uint8Array;
  /** Lowercase hex. */
  readonly serialNumber: string;
  readonly genTime: Date;
  /** DER certificates carried in the token. */
  readonly certificates: readonly Uint8Array[];
}

/** Reads the TSTInfo and certificates of a DER TimeStampToken. */
export const readTimestampToken = (token: Uint8Array): TimestampTokenContents => {
  const [, content] = childrenOf(fromDer(token));
  const signedData = childrenOf(childrenOf(content)[0]);
  const [, eContent] = childrenOf(signedData[2]);
  const tstInfo = fromDer(primitiveBytes(childrenOf(eContent)[0]));
  const [, policy, imprint, serial, genTime] = childrenOf(tstInfo);
  const [algorithm, hashed] = childrenOf(imprint);
  const certificates = contextChild(signedData.slice(3), 0);
  return {
    policy: oidOf(policy),
    hashAlgorithm: oidOf(childrenOf(algorithm)[0]),
    messageImprint: primitiveBytes(hashed),
    serialNumber: integerHex(serial),
    genTime: timeOf(genTime),
    certificates: certificates ? childrenOf(certificates).map(toDer) : [],
  };
};
