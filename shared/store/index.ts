export type { IdempotencyRecord, Page, PetitionStore, StepRecord } from './ports.ts';
export type { ObjectStore } from './object-store.ts';
export {
  DynamoPetitionStore,
  InvalidCursorError,
  InvalidTransitionError,
  PetitionAlreadyExistsError,
  createDocumentClient,
  type DynamoPetitionStoreOptions,
} from './dynamo-petition-store.ts';
export { TABLE_KEYS, createTableInput } from './table.ts';
