/**
 * X.509 v2 CRLs (RFC 5280 §5) read for revocation checking: issuer Name bytes (matched against
 * the issuing certificate's subject), the window, and the revoked serial numbers. Complete CRLs
 * only: a delta CRL, or one with a critical extension we do not process, is marked unusable.
 */
import { bitStringBytes, childrenOf, contentOf, encodingOf, expectTag, integerHex, readTime, readWhole, TAG, TAGS, type Tlv } from './asn1.ts';
import { OIDS } from './oids.ts';
import { readAlgorithm, readExtensions } from './x509.ts';

/** CRLReason names (RFC 5280 §5.3.1). */
const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

export interface RevokedEntry {
  readonly revokedAt: Date;
  readonly reason?: string;
}

export interface Crl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
  /** DER of the issuer Name. */
  readonly issuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** By serial number: upper-case hex without leading zero bytes (Certificate.serialHex). */
  readonly revoked: ReadonlyMap<string, RevokedEntry>;
  /** Why this CRL cannot serve as complete revocation status, if it cannot. */
  readonly unusable?: string;
}

const isTime = (tlv: Tlv | undefined): boolean => tlv?.tag === TAG.UTC_TIME || tlv?.tag === TAG.GENERALIZED_TIME;

/** Parses a DER CRL; throws MalformedDerError when it is not one. */
export const parseCrl = (der: Uint8Array): Crl => {
  const [tbsTlv, algorithmTlv, signatureTlv] = childrenOf(der, readWhole(der, TAG.SEQUENCE));
  const fields = childrenOf(der, expectTag(tbsTlv, TAG.SEQUENCE, 'tbsCertList'));
  const rest = fields[0]?.tag === TAG.INTEGER ? fields.slice(1) : fields;
  const [innerAlgorithm, issuerTlv, thisUpdateTlv, ...tail] = rest;
  const signatureAlgorithm = readAlgorithm(der, algorithmTlv);
  readAlgorithm(der, innerAlgorithm);
  expectTag(issuerTlv, TAG.SEQUENCE, 'the CRL issuer');
  const nextUpdateTlv = isTime(tail[0]) ? tail.shift() : undefined;
  const revokedList = tail[0]?.tag === TAG.SEQUENCE ? tail.shift() : undefined;
  const extensionsTlv = tail[0]?.tag === 0xa0 ? tail.shift() : undefined;

  const problems: string[] = [];
  const revoked = new Map<string, RevokedEntry>();
  for (const entry of revokedList ? childrenOf(der, revokedList) : []) {
    const [serial, date, entryExtensions] = childrenOf(der, entry, TAG.SEQUENCE);
    let reason: string | undefined;
    for (const extension of entryExtensions ? readExtensions(der, entryExtensions) : []) {
      if (extension.id === OIDS.crlReason) reason = REASONS[contentOf(extension.value, readWhole(extension.value, TAGS.ENUMERATED))[0] ?? 0] || undefined;
      else if (extension.critical && extension.id !== OIDS.invalidityDate) problems.push(`entry extension ${extension.id} is critical and not processed`);
    }
    revoked.set(integerHex(der, serial!), { revokedAt: readTime(der, date!), ...(reason ? { reason } : {}) });
  }
  const extensions = extensionsTlv ? readExtensions(der, childrenOf(der, extensionsTlv)[0] ?? expectTag(undefined, TAG.SEQUENCE, 'crlExtensions')) : [];
  for (const extension of extensions) {
    if (extension.id === OIDS.deltaCrlIndicator) problems.push('it is a delta CRL');
    else if (extension.critical && extension.id !== OIDS.crlNumber && extension.id !== OIDS.authorityKeyIdentifier) problems.push(`extension ${extension.id} is critical and not processed`);
  }
  return {
    der,
    tbs: encodingOf(der, tbsTlv!),
    signatureAlgorithm,
    signature: bitStringBytes(der, signatureTlv!),
    issuer: encodingOf(der, issuerTlv!),
    thisUpdate: readTime(der, thisUpdateTlv!),
    ...(nextUpdateTlv ? { nextUpdate: readTime(der, nextUpdateTlv) } : {}),
    revoked,
    ...(problems.length > 0 ? { unusable: problems.join('; ') } : {}),
  };
};

