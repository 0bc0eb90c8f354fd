/** Evidence retrieval port: fetch one document from the agency that issues it. */

export interface EvidenceQuery {
  agency: string;
  documentType: string;
  /** The citizen whose consent covers this retrieval. */
  subject: string;
  /** The record to look up: the citizen's subject, or a value of a petition field (a parcel number, an address). */
  lookupKey: string;
  /** Only these fields are requested (data minimisation). */
  fields: string[];
  /** Purpose of use: the petition id the citizen consented for. */
  purpose: string;
  consentedAt: string;
}

/** The payload an issuing agency signs. */
export interface IssuedDocumentPayload {
  issuer: string; // agency id
  documentType: string;
  subject: string;
  documentNumber: string;
  issuedAt: string;
  fields: Record<string, unknown>;
}

export interface IssuedDocument {
  /** The document exactly as issued: a compact JWS signed by the agency. */
  raw: string;
  payload: IssuedDocumentPayload;
}

/**
 * Throws AgencyUnavailableError (network, timeout, 5xx), EvidenceNotFoundError (no record),
 * IssuerSignatureInvalidError (bad signature) or MalformedEvidenceError (unreadable answer).
 */
export interface EvidenceSource {
  fetch(query: EvidenceQuery): Promise<IssuedDocument>;
}
