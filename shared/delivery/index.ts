/** Webhook delivery (Standard Webhooks): endpoints, outbox, retry schedule, signed delivery, log and replay. */
export { DeliveryLog, type DeliveryLogOptions, type TimeRange } from './delivery-log.ts';
export { DeliveryWorker, deadLetterEventId, type DeliveryWorkerOptions, type RunSummary } from './delivery-worker.ts';
export { EndpointRegistry, ROTATION_GRACE_MS, endpointRegistrationSchema, endpointView, type EndpointRegistration, type EndpointRegistryOptions } from './endpoints.ts';
export {
  AddressRefusedError,
  DeliveryConflictError,
  DeliveryError,
  DeliveryNotFoundError,
  EndpointNotActiveError,
  EndpointNotFoundError,
  EndpointUrlRefusedError,
} from './errors.ts';
export { EVENT_TYPES, outboxEvent, webhookBody, webhookPayloadSchema, type EventType, type OutboxEvent, type WebhookPayload } from './events.ts';
export { DEFAULT_TIMEOUT_MS, HttpWebhookTransport, type HttpWebhookTransportOptions } from './http-transport.ts';
export type { ClaimedDelivery, Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, EndpointView } from './model.ts';
export { systemClock, type Clock, type DeliveryStore, type Page, type TransportResult, type WebhookRequest, type WebhookTransport } from './ports.ts';
export { MAX_ATTEMPTS, RETRY_DELAYS_MS, nextAttemptAt, parseRetryAfter } from './retry-schedule.ts';
export { LOCAL_URL_POLICY, STRICT_URL_POLICY, checkEndpointUrl, classifyAddress, type UrlPolicy } from './url-policy.ts';
export { generateSigningSecret, signWebhook, webhookIdFor } from './webhook-signing.ts';
