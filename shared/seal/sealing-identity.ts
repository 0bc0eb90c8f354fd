/**
 * What a signature needs besides the key: the certificate of the key, the chain up to the root and
 * the revocation lists, so that the signed PDF can be validated offline (PAdES B-LT, DESIGN §6).
 */
import type { Signer } from './signer.ts';

/** A key together with the certificates and CRLs that let anyone validate its signatures offline. */
export interface SealingIdentity {
  readonly signer: Signer;
  /** DER X.509 certificate of `signer`'s key. */
  readonly certificate: Uint8Array;
  /** DER certificates of the issuers, nearest first, ending with the root (trust anchor). */
  readonly chain: readonly Uint8Array[];
  /** DER CRLs of every CA in the chain, current at signing time. */
  readonly crls: readonly Uint8Array[];
}

/** An RFC 3161 timestamping authority. */
export interface TimestampAuthority {
  /**
   * Returns a DER TimeStampToken (a CMS ContentInfo of SignedData over TSTInfo) whose
   * messageImprint is `digest` (SHA-256).
   */
  timestamp(digest: Uint8Array): Promise<Uint8Array>;
}
