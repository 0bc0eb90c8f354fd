/**
 * Standard Webhooks signatures through the `standardwebhooks` package: `webhook-id`,
 * `webhook-timestamp` (seconds) and `webhook-signature` = space-separated `v1,<base64 HMAC-SHA256>`,
 * one per valid secret, so a receiver holding either secret accepts during a rotation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { EndpointSecret } from './model.ts';

/** Random bytes per secret: the spec asks for 24 to 64. */
const SECRET_BYTES = 32;

/** A new signing secret: `whsec_` + base64 of 32 random bytes, the form standardwebhooks reads. */
export const generateSigningSecret = (): string => `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;

/** The secrets that sign at `at`, newest first: the current one, and any rotated-out one still in its grace period. */
export const signingSecretsAt = (secrets: readonly EndpointSecret[], at: Date): string[] =>
  secrets.filter((s) => s.expiresAt === undefined || Date.parse(s.expiresAt) > at.getTime()).map((s) => s.secret);

/** The three Standard Webhooks headers for one attempt, signed with every given secret. */
export const signWebhook = (webhookId: string, timestamp: Date, body: string, secrets: readonly string[]): Record<string, string> => {
  if (secrets.length === 0) throw new RangeError(`webhook ${webhookId}: no signing secret is valid at ${timestamp.toISOString()}; expected at least one`);
  // standardwebhooks signs whole seconds; the header must carry the same number.
  const seconds = Math.floor(timestamp.getTime() / 1000);
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(seconds),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(webhookId, timestamp, body)).join(' '),
  };
};

/** RFC 4648 base32 alphabet, lower-cased (ids end up in URLs and logs). */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

const base32 = (bytes: Uint8Array): string => {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return bits > 0 ? out + BASE32[(buffer << (5 - bits)) & 31] : out;
};

/**
 * The webhook id of (event, endpoint): `msg_` + base32 of the first 20 bytes of SHA-256 (160 bits).
 * Derived, not drawn, so fanning out the same event again after a crash finds the delivery it made.
 * The length prefix keeps (`ab`, `c`) and (`a`, `bc`) apart.
 */
export const webhookIdFor = (eventId: string, endpointId: string): string =>
  `msg_${base32(createHash('sha256').update(`${eventId.length}:${eventId}${endpointId}`, 'utf8').digest().subarray(0, 20))}`;
