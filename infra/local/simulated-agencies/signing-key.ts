/** The key an agency signs its documents with, and the JWKS it publishes. */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';

export interface AgencySigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The public half as published in the agency's JWKS. */
  readonly publicJwk: JWK;
}

/**
 * Generates a fresh ES256 key pair. The kid defaults to the RFC 7638 thumbprint; passing another
 * key's kid makes an impostor key (what the 'bad-signature' fault signs with).
 */
export const generateAgencySigningKey = async (kid?: string): Promise<AgencySigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  const keyId = kid ?? (await calculateJwkThumbprint(jwk));
  return { kid: keyId, privateKey, publicJwk: { ...jwk, kid: keyId, alg: 'ES256', use: 'sig' } };
};

export const jwksOf = (key: AgencySigningKey): JSONWebKeySet => ({ keys: [key.publicJwk] });
