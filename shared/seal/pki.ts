/**
 * The platform's PKI as the workflow uses it: the sealing identity of each seal holder (its key,
 * certificate, chain and CRLs), the timestamping authority, and the published trust material.
 * One adapter (`manifest-pki.ts`) serves both modes: the hierarchy's manifest lives in object
 * storage and the keys behind a Signer (KMS on AWS, the encrypted key store locally).
 */
import type { SealingIdentity, TimestampAuthority } from './sealing-identity.ts';
import type { TrustPublication } from './trust-publication.ts';

/** Who seals: an issuing agency (its 직인) or the platform (applicant seal certificates). */
export type SealHolder = 'platform' | `agency:${string}`;

export interface Pki extends TrustPublication {
  sealingIdentity(holder: SealHolder): Promise<SealingIdentity>;
  timestampAuthority(): Promise<TimestampAuthority>;
}
