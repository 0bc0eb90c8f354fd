import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSigningSecret, signWebhook, signingSecretsAt, webhookIdFor } from '../../../shared/delivery/webhook-signing.ts';

const body = JSON.stringify({ type: 'petition.completed', timestamp: '2030-01-01T00:00:00.000Z', data: { petitionId: 'p-1', agency: 'mois', outcome: 'completed' } });

describe('signing secrets', () => {
  it('are whsec_ + base64 of 32 random bytes, all different', () => {
    const secrets = Array.from({ length: 50 }, generateSigningSecret);

    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('sign with the current secret and with a rotated-out one until it expires', () => {
    const secrets = [
      { secret: 'whsec_new', createdAt: '2030-01-02T00:00:00.000Z' },
      { secret: 'whsec_old', createdAt: '2030-01-01T00:00:00.000Z', expiresAt: '2030-01-03T00:00:00.000Z' },
    ];

    expect(signingSecretsAt(secrets, new Date('2030-01-02T23:59:59.999Z'))).toEqual(['whsec_new', 'whsec_old']);
    expect(signingSecretsAt(secrets, new Date('2030-01-03T00:00:00.000Z'))).toEqual(['whsec_new']);
  });
});

describe('webhook signatures', () => {
  it('verify with the independent standardwebhooks verifier', () => {
    const secret = generateSigningSecret();

    const headers = signWebhook('msg_1', new Date(), body, [secret]);

    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('carry one v1 signature per secret, each verifying on its own', () => {
    const [current, previous] = [generateSigningSecret(), generateSigningSecret()];

    const headers = signWebhook('msg_2', new Date(), body, [current, previous]);

    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify(body, headers)).toThrow(/No matching signature/);
  });

  it('fail verification when one byte of the body changes', () => {
    const secret = generateSigningSecret();
    const headers = signWebhook('msg_3', new Date(), body, [secret]);

    expect(() => new Webhook(secret).verify(body.replace('p-1', 'p-2'), headers)).toThrow(/No matching signature/);
  });

  it('put whole seconds in webhook-timestamp', () => {
    const headers = signWebhook('msg_4', new Date('2030-01-01T00:00:01.999Z'), body, [generateSigningSecret()]);

    expect(headers['webhook-timestamp']).toBe(String(Date.parse('2030-01-01T00:00:01Z') / 1000));
  });

  it('refuse to sign with no secret', () => {
    expect(() => signWebhook('msg_5', new Date('2030-01-01T00:00:00Z'), body, [])).toThrow(/no signing secret is valid at 2030-01-01T00:00:00.000Z/);
  });
});

describe('webhook ids', () => {
  it('are the same for the same event and endpoint, and differ otherwise', () => {
    const id = webhookIdFor('petition:p-1:completed', 'ep_a');

    expect(id).toMatch(/^msg_[a-z2-7]{32}$/);
    expect(webhookIdFor('petition:p-1:completed', 'ep_a')).toBe(id);
    expect(webhookIdFor('petition:p-1:completed', 'ep_b')).not.toBe(id);
    expect(webhookIdFor('petition:p-2:completed', 'ep_a')).not.toBe(id);
  });

  it('keep the boundary between event id and endpoint id', () => {
    expect(webhookIdFor('ab', 'c')).not.toBe(webhookIdFor('a', 'bc'));
  });
});
