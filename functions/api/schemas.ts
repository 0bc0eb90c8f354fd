/** The API's request and response shapes, as zod schemas: validation and the OpenAPI document come from these. */
import { z } from 'zod';
import { ConditionSchema, PetitionTypeSchema } from '../../shared/catalog/schema.ts';
import { ASSURANCE_LEVELS, PETITION_STATUSES } from '../../shared/petition/model.ts';

const localized = z.object({ ko: z.string(), en: z.string() });

export const submitPetitionRequest = z
  .strictObject({
    type: z.string().min(1).max(100).describe('Petition type id, from GET /v1/petition-types'),
    fields: z.record(z.string(), z.unknown()).describe("The petition's fields, as the petition type declares them"),
    consent: z
      .strictObject({
        documents: z.array(z.string().min(1).max(100)).max(50).describe('Evidence ids the citizen consents to have retrieved for this petition'),
      })
      .describe('Consent to retrieve each required document from its issuing agency, for this petition only'),
  })
  .meta({ id: 'SubmitPetitionRequest' });

export const petitionAccepted = z
  .object({
    id: z.string(),
    status: z.enum(PETITION_STATUSES),
    links: z.object({ self: z.string() }),
  })
  .meta({ id: 'PetitionAccepted' });

export const decisionView = z.object({
  outcome: z.enum(['approve', 'reject', 'review']),
  reasons: z.array(z.object({ ruleId: z.string(), ko: z.string(), en: z.string() })),
  decidedAt: z.string(),
});

export const petitionView = z
  .object({
    id: z.string(),
    type: z.string(),
    status: z.enum(PETITION_STATUSES),
    createdAt: z.string(),
    updatedAt: z.string(),
    fields: z.record(z.string(), z.unknown()),
    decision: decisionView.optional(),
    failure: z.object({ error: z.string(), cause: z.string() }).optional(),
    evidence: z.array(
      z.object({ id: z.string(), documentType: z.string(), agency: z.string(), retrievedAt: z.string(), sha256: z.string(), consentedAt: z.string() }),
    ),
    timeline: z.array(
      z.object({
        at: z.string(),
        state: z.string(),
        kind: z.enum(['status', 'step-completed', 'step-failed']),
        status: z.enum(PETITION_STATUSES).optional(),
        detail: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'Petition' });

export const petitionTypeSummary = z
  .object({
    id: z.string(),
    version: z.number(),
    name: localized,
    description: localized,
    assuranceLevel: z.enum(ASSURANCE_LEVELS),
    links: z.object({ self: z.string() }),
  })
  .meta({ id: 'PetitionTypeSummary' });

export const petitionTypeList = z.object({ items: z.array(petitionTypeSummary) }).meta({ id: 'PetitionTypeList' });

// Rule conditions are recursive: registered under a name so the OpenAPI document can $ref them.
if (!z.globalRegistry.has(ConditionSchema)) z.globalRegistry.add(ConditionSchema, { id: 'Condition' });

/** One petition type as served: its definition, and the names of the agencies its evidence comes from. */
export const petitionTypeView = PetitionTypeSchema.safeExtend({
  agencies: z.record(z.string(), z.object({ name: localized })).describe('The issuing agencies named by `evidence[].agency`'),
}).meta({ id: 'PetitionType' });

export const problemDocument = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export const health = z.object({ status: z.literal('ok'), mode: z.enum(['local', 'aws']) }).meta({ id: 'Health' });
