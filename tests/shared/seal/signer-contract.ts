/**
 * The Signer contract (DESIGN §6, §7): what every adapter owes, checked with node:crypto (OpenSSL)
 * as the independent verifier. The local key store runs it for real, KmsSigner through a faithful mock.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Signer } from '../../../shared/seal/signer.ts';

const sha256 = (message: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(message).digest());
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const publicKeyOf = async (signer: Signer): Promise<KeyObject> =>
  createPublicKey({ key: Buffer.from(await signer.publicKeySpki()), format: 'der', type: 'spki' });
/** What a relying party does: verify ECDSA-with-SHA-256 over the message, signature in DER. */
const verifies = (message: Uint8Array, key: KeyObject, signature: Uint8Array): boolean =>
  verify('sha256', message, { key, dsaEncoding: 'der' }, signature);

/** Runs the Signer contract against the signers `makeSigner` builds (a fresh one per test). */
export const describeSignerContract = (name: string, makeSigner: () => Promise<Signer>): void => {
  describe(`Signer contract: ${name}`, () => {
    it('signs sha256(message) so that ECDSA-with-SHA-256 over the message verifies (DER signature)', async () => {
      const signer = await makeSigner();
      const message = text('민원 결과 문서 — petition result');

      const signature = await signer.signDigest(sha256(message));

      expect(verifies(message, await publicKeyOf(signer), signature)).toBe(true);
    });

    it('signs the digest as given, without hashing it a second time', async () => {
      const signer = await makeSigner();
      const digest = sha256(text('seal me'));

      const signature = await signer.signDigest(digest);

      // Had the signer hashed again, the signature would cover sha256(digest) and verify over `digest` instead.
      expect(verifies(digest, await publicKeyOf(signer), signature)).toBe(false);
    });

    it('gives different digests different signatures, each valid only for its own message', async () => {
      const signer = await makeSigner();
      const key = await publicKeyOf(signer);
      const first = text('petition 1');
      const second = text('petition 2');

      const firstSignature = await signer.signDigest(sha256(first));
      const secondSignature = await signer.signDigest(sha256(second));

      expect(Buffer.from(firstSignature).equals(Buffer.from(secondSignature))).toBe(false);
      expect([verifies(first, key, firstSignature), verifies(second, key, secondSignature)]).toEqual([true, true]);
      expect([verifies(second, key, firstSignature), verifies(first, key, secondSignature)]).toEqual([false, false]);
    });

    it('publishes a P-256 public key as canonical DER SubjectPublicKeyInfo, the same every time', async () => {
      const signer = await makeSigner();

      const spki = await signer.publicKeySpki();
      const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });

      expect(key.asymmetricKeyType).toBe('ec');
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(Buffer.from(key.export({ type: 'spki', format: 'der' })).equals(Buffer.from(spki))).toBe(true);
      expect(Buffer.from(await signer.publicKeySpki()).equals(Buffer.from(spki))).toBe(true);
    });

    it.each([
      ['an empty digest', 0],
      ['a truncated digest', 31],
      ['a digest one byte too long', 33],
      ['a SHA-512 digest', 64],
    ])('refuses %s (%i bytes)', async (_, length) => {
      const signer = await makeSigner();

      await expect(signer.signDigest(new Uint8Array(length).fill(7))).rejects.toThrow(`received a digest of ${length} bytes; expected a 32-byte SHA-256 digest`);
    });

    it('refuses a message passed where its digest belongs', async () => {
      const signer = await makeSigner();

      await expect(signer.signDigest(text('a whole message, not a digest'))).rejects.toThrow(RangeError);
    });

    it('keeps a stable, non-empty key id across operations', async () => {
      const signer = await makeSigner();
      const before = signer.keyId;

      await signer.signDigest(sha256(text('x')));
      await signer.publicKeySpki();

      expect(before).toMatch(/\S/);
      expect(signer.keyId).toBe(before);
    });
  });
};
