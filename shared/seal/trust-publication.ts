/**
 * What the platform publishes about its trust hierarchy, so that anyone can validate a result
 * offline: the root certificate (the trust anchor) and each CA's current revocation list.
 */

/** The CAs that publish a CRL: the root (revokes the seal CA), the seal CA (agency seals, platform seal, TSA) and the platform seal (applicant seals). */
export const CRL_ISSUERS = ['root-ca', 'seal-ca', 'platform-seal'] as const;
export type CrlIssuer = (typeof CRL_ISSUERS)[number];

export interface TrustPublication {
  /** The root certificate, PEM. */
  rootCertificatePem(): Promise<string>;
  /** The current CRL of `issuer`, DER. */
  crl(issuer: CrlIssuer): Promise<Uint8Array>;
}
