/**
 * Errors of webhook delivery. Each sets `name` as a string literal (bundlers may rename classes) and a
 * stable `code`; the API edge maps the client errors among them to problem documents.
 */
export abstract class DeliveryError extends Error {
  abstract readonly code: string;
}

/** A webhook URL the platform will not call (scheme, host, address class, credentials). A client error. */
export class EndpointUrlRefusedError extends DeliveryError {
  override readonly name = 'EndpointUrlRefusedError';
  readonly code = 'endpoint-url-refused';
}

/** A resolved or literal address outside what the URL policy allows: refused when connecting. */
export class AddressRefusedError extends DeliveryError {
  override readonly name = 'AddressRefusedError';
  readonly code = 'address-refused';
}

/** No endpoint with this id for this agency. */
export class EndpointNotFoundError extends DeliveryError {
  override readonly name = 'EndpointNotFoundError';
  readonly code = 'endpoint-not-found';
}

/** The endpoint is disabled (e.g. it answered 410 Gone), so nothing can be sent or replayed to it. */
export class EndpointNotActiveError extends DeliveryError {
  override readonly name = 'EndpointNotActiveError';
  readonly code = 'endpoint-not-active';
}

/** No delivery with this webhook id for this agency. */
export class DeliveryNotFoundError extends DeliveryError {
  override readonly name = 'DeliveryNotFoundError';
  readonly code = 'delivery-not-found';
}

/** A write lost an optimistic-concurrency race or a lease expired underneath it. Safe to retry. */
export class DeliveryConflictError extends DeliveryError {
  override readonly name = 'DeliveryConflictError';
  readonly code = 'delivery-conflict';
}
