/** Reading the trust anchors an auditor is given: a PEM bundle, or one DER certificate. */
import { latin1 } from '../bytes.ts';
import { TrustAnchorError } from './errors.ts';
import { parseCertificate } from './x509.ts';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

const base64ToBytes = (text: string): Uint8Array => {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new TrustAnchorError('received a PEM block with characters outside base64; expected a certificate');
  const binary = atob(clean);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

const checked = (der: Uint8Array, index: number): Uint8Array => {
  try {
    parseCertificate(der);
  } catch (error) {
    throw new TrustAnchorError(`received trust anchor #${index + 1} that is not an X.509 certificate (${(error as Error).message}); expected DER or PEM certificates`);
  }
  return der;
};

/** The DER certificates of a PEM bundle (every CERTIFICATE block) or of one DER certificate; throws TrustAnchorError otherwise. */
export const readTrustAnchors = (pemOrDer: Uint8Array | string): Uint8Array[] => {
  const text = typeof pemOrDer === 'string' ? pemOrDer : latin1(pemOrDer, 0, Math.min(pemOrDer.length, 16 * 1024 * 1024));
  if (text.includes('-----BEGIN')) {
    const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => base64ToBytes(m[1]!));
    if (blocks.length === 0) throw new TrustAnchorError('received PEM without a CERTIFICATE block; expected -----BEGIN CERTIFICATE-----');
    return blocks.map(checked);
  }
  if (typeof pemOrDer === 'string') throw new TrustAnchorError('received text without a PEM CERTIFICATE block; expected PEM, or DER bytes');
  return [checked(pemOrDer.slice(), 0)];
};
