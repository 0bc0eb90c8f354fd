/**
 * evidence.json: the documents the platform retrieved for the petition, with their SHA-256, as
 * RenderResult embeds them under the signature. Read defensively: only the known fields of
 * well-formed entries are passed on, so hostile JSON never reaches a report verbatim.
 */
import { utf8 } from '../bytes.ts';
import type { Check, EvidenceDigest } from './verdict.ts';

/** Name of the embedded file (sealing-steps.ts EVIDENCE_ATTACHMENT). */
export const EVIDENCE_FILE = 'evidence.json';
const MAX_ENTRIES = 10_000;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 1000;

/** The entries and the 'evidence' check. */
export const readEvidence = (data: Uint8Array | undefined, problem: string | undefined): { evidence: EvidenceDigest[]; check: Check } => {
  if (problem) return { evidence: [], check: { name: 'evidence', ok: false, detail: problem } };
  if (!data) return { evidence: [], check: { name: 'evidence', ok: true, detail: `no ${EVIDENCE_FILE} embedded` } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8(data) ?? '');
  } catch {
    return { evidence: [], check: { name: 'evidence', ok: false, detail: `${EVIDENCE_FILE} is not UTF-8 JSON` } };
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_ENTRIES) {
    return { evidence: [], check: { name: 'evidence', ok: false, detail: `${EVIDENCE_FILE} is not a list of at most ${MAX_ENTRIES} evidence digests` } };
  }
  const evidence: EvidenceDigest[] = [];
  for (const [index, entry] of parsed.entries()) {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const wellFormed = isText(e.document) && isText(e.issuingAgency) && isText(e.retrievedAt) && typeof e.sha256 === 'string' && HEX_SHA256.test(e.sha256)
      && (e.evidenceId === undefined || isText(e.evidenceId));
    if (!wellFormed) return { evidence: [], check: { name: 'evidence', ok: false, detail: `${EVIDENCE_FILE} entry ${index + 1} lacks document, issuingAgency, retrievedAt or a lower-case hex sha256` } };
    evidence.push({
      ...(e.evidenceId === undefined ? {} : { evidenceId: e.evidenceId as string }),
      document: e.document as string,
      issuingAgency: e.issuingAgency as string,
      retrievedAt: e.retrievedAt as string,
      sha256: e.sha256 as string,
    });
  }
  return { evidence, check: { name: 'evidence', ok: true, detail: `${evidence.length} evidence digest(s) listed in ${EVIDENCE_FILE}` } };
};
