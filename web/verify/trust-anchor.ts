/**
 * The trust anchor the page validates against: the root certificate the platform publishes at
 * /v1/trust/root.pem, fetched from this origin. Its SHA-256 fingerprint is shown so a careful
 * person can compare it with one published elsewhere (a gazette, a printed notice).
 */
import { readTrustAnchors, type VerificationCrypto } from '../../shared/pdf/verify/index.ts';

export interface TrustAnchor {
  /** DER certificates from the PEM file (normally one). */
  readonly certificates: readonly Uint8Array[];
  /** SHA-256 of each certificate's DER, as `openssl x509 -fingerprint -sha256` prints it (AA:BB:…). */
  readonly fingerprints: readonly string[];
  /** Where it came from. */
  readonly url: string;
}

export class TrustAnchorUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustAnchorUnavailableError';
  }
}

/** Colon-separated upper-case hex, the form certificate tools print fingerprints in. */
export const fingerprintOf = (digest: Uint8Array): string => Array.from(digest, (byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':');

/** Fetches and parses the published root; the URL is relative to the page, so a path prefix in front of the API still works. */
export async function loadTrustAnchor(pageUrl: string, crypto: VerificationCrypto): Promise<TrustAnchor> {
  const url = new URL('v1/trust/root.pem', pageUrl).href;
  // No credentials and no cache surprises: the anchor is public and must be the current one.
  const response = await fetch(url, { credentials: 'omit', cache: 'no-cache' });
  if (!response.ok) throw new TrustAnchorUnavailableError(`GET ${url} answered ${response.status}; expected 200 with the root certificate (PEM)`);
  const certificates = readTrustAnchors(await response.text());
  if (certificates.length === 0) throw new TrustAnchorUnavailableError(`${url} holds no certificate; expected one PEM CERTIFICATE block`);
  const fingerprints = await Promise.all(certificates.map(async (der) => fingerprintOf(await crypto.sha256(der))));
  return { certificates, fingerprints, url };
}
