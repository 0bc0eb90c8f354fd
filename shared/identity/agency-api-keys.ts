/**
 * API keys for agencies' back-office systems (webhook endpoints, delivery log, petitions addressed to
 * them, review decisions). docs/agency-access.md says why keys rather than OAuth client credentials.
 *
 * A key is `hbk_<agency>_<43 base64url characters>` (32 random bytes). It is shown once, when issued;
 * the platform keeps only its SHA-256, so a leaked table does not leak working keys, and a lookup by
 * hash needs no constant-time comparison. An agency may hold several keys at once (rotation) and
 * revoke each. Nothing here logs a key.
 */
import { createHash, randomBytes } from 'node:crypto';

export const AGENCY_KEY_PREFIX = 'hbk_';

/** Random bytes per key: 256 bits, far beyond guessing. */
const KEY_BYTES = 32;

/** Agency ids are the catalog's kebab-case ids, so `_` cannot occur in them and splits the key unambiguously. */
const AGENCY_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The whole key: prefix, agency, and 43 base64url characters (32 bytes, unpadded). */
const AGENCY_KEY = /^hbk_([a-z0-9]+(?:-[a-z0-9]+)*)_([A-Za-z0-9_-]{43})$/;

/** What the platform keeps about one key: its hash, never the key. */
export interface AgencyKeyRecord {
  /** SHA-256 of the whole key text, lower-case hex. */
  keyHash: string;
  agency: string;
  /** Public handle of the key, for listing and revoking (not secret, not derived from the key). */
  keyId: string;
  createdAt: string;
  /** Free text, e.g. which system holds the key. */
  label?: string;
  revokedAt?: string;
}

/** Persistence of agency keys. One adapter: the single table (shared/store/dynamo-agency-key-store.ts). */
export interface AgencyKeyStore {
  /** Stores a new key record; throws if a record with the same hash exists. */
  put(record: AgencyKeyRecord): Promise<void>;
  /** The record of a key hash, revoked or not; undefined when there is none. Read consistently, so a revocation counts at once. */
  findByHash(keyHash: string): Promise<AgencyKeyRecord | undefined>;
  /** The agency's keys (revoked ones included), oldest first. */
  list(agency: string): Promise<AgencyKeyRecord[]>;
  /** Marks the agency's key revoked (the first revocation time stays); false when the agency has no such key. */
  revoke(agency: string, keyId: string, at: string): Promise<boolean>;
}

/** A key text is malformed, or names an agency id that cannot exist. Never carries the key. */
export class MalformedAgencyKeyError extends Error {
  override readonly name = 'MalformedAgencyKeyError';
}

/** SHA-256 of a key, lower-case hex: the only form in which a key is stored or looked up. */
export const hashAgencyKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** The agency a well-formed key claims to belong to, or undefined for anything that is not a key. */
export const agencyOfKey = (key: string): string | undefined => AGENCY_KEY.exec(key)?.[1];

/** Issues a new key for the agency: the key is in the answer only, the store keeps its hash. */
export async function issueAgencyApiKey(
  store: AgencyKeyStore,
  agency: string,
  label?: string,
  now: Date = new Date(),
): Promise<{ key: string; keyId: string; record: AgencyKeyRecord }> {
  if (!AGENCY_ID.test(agency)) throw new MalformedAgencyKeyError(`agency id '${agency}' is not a catalog id; expected kebab-case (a-z, 0-9, single hyphens)`);
  const key = `${AGENCY_KEY_PREFIX}${agency}_${randomBytes(KEY_BYTES).toString('base64url')}`;
  const record: AgencyKeyRecord = {
    keyHash: hashAgencyKey(key),
    agency,
    keyId: `ak_${randomBytes(9).toString('base64url')}`,
    createdAt: now.toISOString(),
    ...(label === undefined ? {} : { label }),
  };
  await store.put(record);
  return { key, keyId: record.keyId, record };
}

/**
 * The agency a presented key authenticates, or undefined — for a malformed, unknown or revoked key
 * alike. The agency in the key's text must match the stored one: the text alone proves nothing.
 */
export async function verifyAgencyApiKey(store: AgencyKeyStore, key: string): Promise<{ agency: string; keyId: string } | undefined> {
  const claimed = agencyOfKey(key);
  if (claimed === undefined) return undefined;
  const record = await store.findByHash(hashAgencyKey(key));
  if (!record || record.revokedAt !== undefined || record.agency !== claimed) return undefined;
  return { agency: record.agency, keyId: record.keyId };
}
