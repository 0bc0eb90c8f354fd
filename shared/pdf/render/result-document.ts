/**
 * What a result PDF shows: the content model the RenderResult step hands to the renderer. It
 * holds display text (already localised), not domain objects, so the renderer makes no decisions.
 */
import { z } from 'zod';

const text = z.string().min(1);
const isoTime = z.iso.datetime({ offset: true });

export const resultDocumentSchema = z.strictObject({
  /** `rejection-notice` adds the notice of appeal rights a rejection must carry. */
  kind: z.enum(['result', 'rejection-notice']),
  /** e.g. '기초연금 신청 결과 통지서'. */
  title: text,
  issuingAgency: z.strictObject({
    /** Catalog id (kebab-case), carried in the QR code. */
    id: text,
    name: text,
    nameEn: text.optional(),
    /** Text of the agency's seal (직인); default: its name and 인. */
    sealText: text.max(16).optional(),
  }),
  petition: z.strictObject({
    id: text,
    typeName: text,
    submittedAt: isoTime,
    applicantName: text,
    /** The petition's own fields as label and value; values are free text. */
    fields: z.array(z.strictObject({ label: text, value: z.string() })),
  }),
  decision: z.strictObject({
    outcome: z.enum(['approve', 'reject', 'review']),
    /** e.g. '지급 결정', '반려'. */
    label: text,
    /** Free text, one paragraph each. */
    reasons: z.array(z.string()),
    decidedAt: isoTime,
  }),
  evidence: z.array(
    z.strictObject({
      document: text,
      issuingAgency: text,
      retrievedAt: isoTime,
      /** Lower-case hex SHA-256 of the document as retrieved. */
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
    }),
  ),
  sealCertificate: z
    .strictObject({
      serial: text,
      subject: text,
      issuer: text,
      notAfter: isoTime,
      /** Digest of the application the applicant seal certifies. */
      applicationDigest: text,
    })
    .optional(),
  verification: z.strictObject({
    /** Page where anyone can check the result; the QR code points here with the result's coordinates. */
    url: z.url({ protocol: /^https?$/ }),
    resultId: text,
  }),
});

export type ResultDocument = z.input<typeof resultDocumentSchema>;
