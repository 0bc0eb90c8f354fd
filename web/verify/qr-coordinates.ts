/**
 * The coordinates a result's QR code puts in the page address (shared/pdf/render/verification-code.ts:
 * `?r=<result>&p=<petition>&a=<agency>&e=<evidence list digest>`). They only say which result the
 * person holds; the verdict comes from the file they drop, never from these.
 */
import type { EvidenceDigest } from '../../shared/pdf/verify/verdict.ts';

export interface QrCoordinates {
  readonly resultId?: string;
  readonly petitionId?: string;
  readonly agencyId?: string;
  /** base64url SHA-256 of the evidence documents' hex digests, one per line. */
  readonly evidenceDigest?: string;
}

// Ids are short tokens; anything else in the address is ignored rather than echoed.
const TOKEN = /^[A-Za-z0-9_.:-]{1,128}$/;
const DIGEST = /^[A-Za-z0-9_-]{43}$/;

/** Reads the coordinates from a query string; absent or malformed values are left out. */
export const readQrCoordinates = (search: string): QrCoordinates => {
  const query = new URLSearchParams(search);
  const token = (name: string, shape: RegExp) => {
    const value = query.get(name);
    return value !== null && shape.test(value) ? value : undefined;
  };
  const coordinates = { resultId: token('r', TOKEN), petitionId: token('p', TOKEN), agencyId: token('a', TOKEN), evidenceDigest: token('e', DIGEST) };
  return Object.fromEntries(Object.entries(coordinates).filter(([, value]) => value !== undefined)) as QrCoordinates;
};

const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** The QR code's evidence digest of a verdict's evidence list (the same function as verification-code.ts, without node:crypto). */
export const evidenceListDigest = async (evidence: readonly EvidenceDigest[], sha256: (data: Uint8Array) => Promise<Uint8Array>): Promise<string> =>
  base64url(await sha256(new TextEncoder().encode(evidence.map((item) => item.sha256).join('\n'))));
