/**
 * The events agencies can subscribe to and the thin payloads they receive. A payload names the
 * petition and where its result lives, never personal data: the agency fetches the result itself.
 */
import { z } from 'zod';

export const EVENT_TYPES = [
  'petition.completed',
  'petition.rejected',
  'petition.review_requested',
  'petition.failed',
  'delivery.dead_lettered',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const eventTypeSchema = z.enum(EVENT_TYPES);

/** Data of every `petition.*` event. `resultUrl`/`resultSha256` are absent while no document exists (review requested). */
export const petitionEventDataSchema = z.strictObject({
  petitionId: z.string().min(1),
  agency: z.string().min(1),
  outcome: z.enum(['completed', 'rejected', 'review_requested', 'failed']),
  resultUrl: z.url().optional(),
  resultSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type PetitionEventData = z.infer<typeof petitionEventDataSchema>;

/** Data of `delivery.dead_lettered`: which message gave up on which endpoint. */
export const deadLetterEventDataSchema = z.strictObject({
  agency: z.string().min(1),
  webhookId: z.string().min(1),
  endpointId: z.string().min(1),
  eventId: z.string().min(1),
  eventType: eventTypeSchema,
  attempts: z.int().positive(),
  lastStatusCode: z.int().optional(),
  lastError: z.string().optional(),
});
export type DeadLetterEventData = z.infer<typeof deadLetterEventDataSchema>;

const petitionEvent = <T extends EventType>(type: T) =>
  z.strictObject({ type: z.literal(type), timestamp: z.iso.datetime(), data: petitionEventDataSchema });

/** The webhook body, exactly as signed and sent: `{ type, timestamp, data }`. */
export const webhookPayloadSchema = z.discriminatedUnion('type', [
  petitionEvent('petition.completed'),
  petitionEvent('petition.rejected'),
  petitionEvent('petition.review_requested'),
  petitionEvent('petition.failed'),
  z.strictObject({ type: z.literal('delivery.dead_lettered'), timestamp: z.iso.datetime(), data: deadLetterEventDataSchema }),
]);
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/**
 * One entry of the outbox. `id` is chosen by the producer and stable for the fact it reports
 * (e.g. `petition:<id>:completed`), so that re-emitting after a crash is recognised as the same event.
 */
export interface OutboxEvent {
  id: string;
  agency: string;
  occurredAt: string;
  payload: WebhookPayload;
}

/** Builds an outbox event from a payload, checking it against the schema (throws a ZodError on a bad payload). */
export const outboxEvent = (id: string, payload: WebhookPayload): OutboxEvent => {
  const parsed = webhookPayloadSchema.parse(payload);
  if (id.length === 0) throw new RangeError('event id is empty; expected a stable non-empty id');
  return { id, agency: parsed.data.agency, occurredAt: parsed.timestamp, payload: parsed };
};

/** The exact body bytes of a webhook: serialised once and stored, so every attempt sends the same bytes. */
export const webhookBody = (payload: WebhookPayload): string => JSON.stringify(payload);
