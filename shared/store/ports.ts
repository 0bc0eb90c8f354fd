import type { ArtifactKind, EvidenceRecord, Petition, PetitionArtifact, PetitionStatus, TimelineEntry } from '../petition/model.ts';

/** The claim an Idempotency-Key makes: this citizen, this key → this request hash → this petition. */
export interface IdempotencyRecord {
  subject: string;
  key: string;
  requestHash: string;
  petitionId: string;
  createdAt: string;
  /** Epoch seconds after which the key may be reused; checked by code (dynalite has no TTL). */
  expiresAt: number;
}

/** A step's recorded result, keyed by (petition, state, input hash): the replay journal of DESIGN §4. */
export interface StepRecord {
  petitionId: string;
  stepKey: string; // `${state}#${inputHash}`
  state: string;
  /** What the step acted on, for the timeline (e.g. which document); never personal data. */
  label?: string;
  startedAt: string;
  finishedAt: string;
  result: unknown;
}

/** Everything stored about one petition, as read in one request. */
export interface PetitionRecord {
  petition?: Petition;
  /** Status history, steps and failed attempts, oldest first. */
  timeline: TimelineEntry[];
  evidence: EvidenceRecord[];
  /** Its seal certificate and signed result, where they exist. */
  artifacts: PetitionArtifact[];
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** Persistence port for petitions. One adapter: DynamoDB single table (dynalite locally). */
export interface PetitionStore {
  /** Creates the petition; throws if one with the same id exists. */
  createPetition(petition: Petition): Promise<void>;
  getPetition(id: string): Promise<Petition | undefined>;
  /**
   * Moves the petition to `to` (optimistic concurrency on `version`, re-read and retried on a race).
   * Same status → returns the petition unchanged. A transition the status machine forbids throws.
   * `current`, when the caller has just read the petition, saves the first read.
   */
  transition(id: string, to: PetitionStatus, patch?: Pick<Partial<Petition>, 'decision' | 'failure'>, current?: Petition): Promise<Petition>;
  /**
   * The petition and one of its step records, read together in one request: what every workflow
   * step needs before it acts (is it already done? what is the petition?).
   */
  getPetitionAndStep(petitionId: string, stepKey: string): Promise<{ petition?: Petition; step?: StepRecord }>;
  /** Claims an idempotency key; when taken (and not expired), returns the record that holds it. */
  claimIdempotencyKey(record: IdempotencyRecord): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }>;
  getStepRecord(petitionId: string, stepKey: string): Promise<StepRecord | undefined>;
  /** Records a step result; the first writer wins and its record is returned. */
  putStepRecord(record: StepRecord): Promise<StepRecord>;
  appendTimeline(petitionId: string, entry: TimelineEntry): Promise<void>;
  /** Timeline entries and step records of a petition, oldest first. */
  getTimeline(petitionId: string): Promise<TimelineEntry[]>;
  /**
   * Records a retrieved document. The first record of (petition, evidence id) wins and is returned,
   * so overlapping duplicates of a step agree on one document.
   */
  putEvidence(record: EvidenceRecord): Promise<EvidenceRecord>;
  /**
   * Records a signed artefact. The first record of (petition, kind) wins and is returned, so a
   * replayed step never leaves two seal certificates or two signed results.
   */
  putArtifact(artifact: PetitionArtifact): Promise<PetitionArtifact>;
  getArtifact(petitionId: string, kind: ArtifactKind): Promise<PetitionArtifact | undefined>;
  /** The petition, its timeline and its evidence, read together (what a status page shows). */
  getPetitionRecord(petitionId: string): Promise<PetitionRecord>;
  listEvidence(petitionId: string): Promise<EvidenceRecord[]>;
  /** Petitions not yet in a terminal status (the local runner replays them after a restart). */
  listActivePetitionIds(page?: { limit?: number; cursor?: string }): Promise<Page<string>>;
  /** A citizen's petitions, newest first. */
  listPetitionsBySubject(subject: string, page?: { limit?: number; cursor?: string }): Promise<Page<Petition>>;
}
