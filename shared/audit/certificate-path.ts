/**
 * Offline certificate path checks for audit checkpoints: from a signer's certificate, through the
 * certificates an export carries, to the root the auditor trusts — each issued by the next, each
 * signature valid, each certificate valid at the time in question. node:crypto does the maths.
 */
import { X509Certificate } from 'node:crypto';

export type PathCheck = { ok: true; path: X509Certificate[] } | { ok: false; detail: string };

const MAX_PATH = 6;

const nameOf = (certificate: X509Certificate): string => /CN=([^\n]+)/.exec(certificate.subject)?.[1] ?? certificate.subject.replace(/\n/g, ', ');

/** The path from `leaf` to `root` through `pool`, checked at `at`; or why there is none. */
export function certificatePath(leaf: Uint8Array, pool: readonly Uint8Array[], root: Uint8Array, at: Date): PathCheck {
  let anchor: X509Certificate;
  let current: X509Certificate;
  let candidates: X509Certificate[];
  try {
    anchor = new X509Certificate(root);
    current = new X509Certificate(leaf);
    candidates = [...pool.map((der) => new X509Certificate(der)), anchor];
  } catch (error) {
    return { ok: false, detail: `a certificate could not be parsed (${(error as Error).message})` };
  }
  const path = [current];
  for (let depth = 0; depth < MAX_PATH; depth++) {
    if (at < current.validFromDate || at > current.validToDate) {
      return { ok: false, detail: `certificate '${nameOf(current)}' is valid ${current.validFromDate.toISOString()}..${current.validToDate.toISOString()}, not at ${at.toISOString()}` };
    }
    if (current.fingerprint256 === anchor.fingerprint256) return { ok: true, path };
    const issuer = candidates.find((c) => c.ca && current.checkIssued(c) && current.verify(c.publicKey) && c.fingerprint256 !== current.fingerprint256);
    if (!issuer) return { ok: false, detail: `no certificate in the export or the trusted root issued '${nameOf(current)}' (issuer '${current.issuer.replace(/\n/g, ', ')}')` };
    current = issuer;
    path.push(current);
  }
  return { ok: false, detail: `no path to the trusted root within ${MAX_PATH} certificates` };
}

/** The subject's common name, for reports. */
export const commonNameOf = (der: Uint8Array): string => nameOf(new X509Certificate(der));
