/**
 * The QR code on a result: a URL to the verification page carrying the result id, the petition id,
 * the issuing agency and the SHA-256 of the evidence list, so a printed copy can be checked
 * against the platform (and the evidence list against its own digests) without typing anything.
 */
import { createHash } from 'node:crypto';
import { encodeQr } from './qr-encoder.ts';

/** The coordinates a QR code carries. */
export interface VerificationCoordinates {
  readonly url: string;
  readonly resultId: string;
  readonly petitionId: string;
  readonly agencyId: string;
  readonly evidenceSha256: readonly string[];
}

/** SHA-256 (base64url) of the evidence list: the documents' hex SHA-256s in order, one per line. */
export const evidenceListDigest = (evidenceSha256: readonly string[]): string =>
  createHash('sha256').update(evidenceSha256.join('\n')).digest('base64url');

/** The string encoded in the QR code: `url?r=<result>&p=<petition>&a=<agency>&e=<evidence list digest>`. */
export const verificationPayload = (coordinates: VerificationCoordinates): string => {
  const url = new URL(coordinates.url);
  url.searchParams.set('r', coordinates.resultId);
  url.searchParams.set('p', coordinates.petitionId);
  url.searchParams.set('a', coordinates.agencyId);
  url.searchParams.set('e', evidenceListDigest(coordinates.evidenceSha256));
  return url.href;
};

/** A QR symbol as rows of dark (true) and light modules, without the quiet zone. */
export type QrMatrix = readonly (readonly boolean[])[];

/** Encodes `payload` (ASCII: URL serialisation percent-encodes everything else) in byte mode at error correction level M. */
export const qrMatrix = (payload: string): QrMatrix => {
  if (!/^[\x20-\x7e]*$/.test(payload)) {
    throw new Error(`received a QR payload with non-ASCII characters; expected a serialised URL (ASCII only)`);
  }
  const { size, modules } = encodeQr(new TextEncoder().encode(payload));
  return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, column) => modules[row * size + column] === 1));
};

/** Horizontal runs of dark modules per row, as [startColumn, length]: one rectangle each when drawn. */
export const darkRuns = (matrix: QrMatrix): [row: number, column: number, length: number][] => {
  const runs: [number, number, number][] = [];
  matrix.forEach((modules, row) => {
    let column = 0;
    while (column < modules.length) {
      if (!modules[column]) {
        column++;
        continue;
      }
      const start = column;
      while (column < modules.length && modules[column]) column++;
      runs.push([row, start, column - start]);
    }
  });
  return runs;
};
