/**
 * Seals checkpoints with the platform seal (the key that also issues applicant seal certificates)
 * and an RFC 3161 timestamp over the same digest, through the Pki port: KMS on AWS, the encrypted
 * key store locally. The certificate and its chain travel with each checkpoint, so an export can be
 * verified with the root certificate alone, even after the platform seal has been renewed.
 */
import type { Pki } from '../seal/pki.ts';
import type { CheckpointSealer } from './chainer.ts';

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** A CheckpointSealer over the platform's PKI. */
export const pkiCheckpointSealer =
  (pki: Pki): CheckpointSealer =>
  async (digest) => {
    const [identity, authority] = await Promise.all([pki.sealingIdentity('platform'), pki.timestampAuthority()]);
    const [signature, token] = await Promise.all([identity.signer.signDigest(digest), authority.timestamp(digest)]);
    return { signature: base64(signature), certificate: base64(identity.certificate), chain: identity.chain.map(base64), timestampToken: base64(token) };
  };
