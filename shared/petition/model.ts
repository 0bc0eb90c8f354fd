/** The petition as the domain sees it: no AWS or HTTP types here. */

export const PETITION_STATUSES = [
  'RECEIVED',
  'VERIFYING_IDENTITY',
  'RETRIEVING_EVIDENCE',
  'DECIDING',
  'AWAITING_REVIEW',
  'SEALING',
  'DELIVERING',
  'COMPLETED',
  'REJECTED',
  'FAILED',
] as const;
export type PetitionStatus = (typeof PETITION_STATUSES)[number];

export const TERMINAL_STATUSES: readonly PetitionStatus[] = ['COMPLETED', 'REJECTED', 'FAILED'];

export const isTerminal = (status: PetitionStatus): boolean => TERMINAL_STATUSES.includes(status);

/** Assurance levels, weakest first (eIDAS-style low / substantial / high). */
export const ASSURANCE_LEVELS = ['low', 'substantial', 'high'] as const;
export type AssuranceLevel = (typeof ASSURANCE_LEVELS)[number];

export const meetsAssurance = (actual: AssuranceLevel, required: AssuranceLevel): boolean =>
  ASSURANCE_LEVELS.indexOf(actual) >= ASSURANCE_LEVELS.indexOf(required);

/** What the identity provider vouched for, captured when the token was verified at submission. */
export interface VerifiedIdentity {
  subject: string;
  name: string;
  birthDate: string; // YYYY-MM-DD
  issuer: string;
  assuranceLevel: AssuranceLevel;
  authenticatedAt: string; // ISO time
  /** HMAC-SHA256 of the resident registration number the provider vouched for; never the number. */
  rrnKeyedHash?: string;
}

/** The citizen's consent, given at submission, to retrieve the listed documents for this petition. */
export interface ConsentGrant {
  documents: string[]; // evidence ids of the petition type
  grantedAt: string;
}

export type DecisionOutcome = 'approve' | 'reject' | 'review';

export interface Decision {
  outcome: DecisionOutcome;
  reasons: { ruleId: string; ko: string; en: string }[];
  decidedAt: string;
}

export interface Petition {
  id: string;
  type: string;
  typeVersion: number;
  subject: string;
  fields: Record<string, unknown>;
  identity: VerifiedIdentity;
  consent: ConsentGrant;
  status: PetitionStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  decision?: Decision;
  /** Why the petition failed or was rejected by a platform check (error name and message). */
  failure?: { error: string; cause: string };
}

/** One line of a petition's timeline: a workflow step that ran, or an attempt that failed. */
export interface TimelineEntry {
  at: string;
  state: string;
  kind: 'status' | 'step-completed' | 'step-failed';
  status?: PetitionStatus;
  detail?: string;
}

/** A document retrieved from an issuing agency, with the consent it was retrieved under. */
export interface EvidenceRecord {
  petitionId: string;
  evidenceId: string;
  subject: string;
  documentType: string;
  agency: string;
  purpose: string; // the petition id: consent is for this petition only
  consentedAt: string;
  retrievedAt: string;
  sha256: string;
  objectKey: string;
}

/**
 * A signed artefact of a petition, recorded once (the first record wins, so a replayed step never
 * yields a second one): the applicant's seal certificate, or the signed result / rejection notice.
 * The bytes live in object storage under `objectKey`; `sha256` is of exactly those bytes.
 */
export type PetitionArtifact =
  | {
      kind: 'applicant-seal';
      petitionId: string;
      objectKey: string;
      sha256: string;
      createdAt: string;
      serialNumber: string; // hex
      notAfter: string;
      /** The application the seal certifies: canonical JSON (RFC 8785), kept as sealed. */
      applicationKey: string;
      /** DER ECDSA signature by the seal's one-time key over SHA-256 of that JSON, hex. */
      applicationSignature: string;
    }
  | {
      kind: 'signed-result';
      petitionId: string;
      objectKey: string;
      sha256: string;
      createdAt: string;
      document: 'result' | 'rejection-notice';
      /** The agency whose seal signed it. */
      sealedBy: string;
    };
export type ArtifactKind = PetitionArtifact['kind'];
