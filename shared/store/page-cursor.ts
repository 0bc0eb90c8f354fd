/**
 * Page cursors of every listing in the table: the query's LastEvaluatedKey (or a small envelope
 * around it) as base64url JSON. A cursor comes back from a client, so it is checked before it
 * reaches a query: exactly the key attributes the listing uses, as strings, and the partition the
 * caller may read pinned — another citizen's or agency's cursor is refused, never followed.
 */

/** A page cursor that this store did not hand out (or that belongs to another listing). A client error. */
export class InvalidCursorError extends Error {
  constructor(message = 'the page cursor is not one this listing handed out') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Encodes a cursor value (a LastEvaluatedKey, or an envelope holding one). */
export const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** Decodes a cursor into a plain object; anything else is an InvalidCursorError. */
export const decodeCursor = (cursor: string): Record<string, unknown> => {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!isPlainObject(value)) throw new InvalidCursorError();
  return value;
};

/** Checks a decoded key: exactly the `names` as string attributes, and the `pinned` values where given. */
export const validStoredKey = (value: unknown, names: readonly string[], pinned: Record<string, string>): Record<string, string> => {
  if (!isPlainObject(value)) throw new InvalidCursorError();
  const entries = Object.entries(value);
  if (entries.length !== names.length) throw new InvalidCursorError();
  for (const [name, v] of entries) {
    if (!names.includes(name) || typeof v !== 'string') throw new InvalidCursorError();
  }
  for (const [name, v] of Object.entries(pinned)) {
    if (value[name] !== v) throw new InvalidCursorError();
  }
  return value as Record<string, string>;
};

/** The most items any listing returns in one page. */
export const MAX_PAGE_SIZE = 100;

/** A page size: `defaultSize` when none is asked, at most MAX_PAGE_SIZE; anything but a positive integer is a RangeError. */
export const pageLimit = (limit: number | undefined, defaultSize: number): number => {
  if (limit === undefined) return defaultSize;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`page limit must be a positive integer, received ${limit}`);
  return Math.min(limit, MAX_PAGE_SIZE);
};
