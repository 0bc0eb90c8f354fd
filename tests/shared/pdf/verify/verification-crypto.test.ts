/**
 * The VerificationCrypto contract, run against both adapters — node:crypto (the CLI) and
 * @noble/curves with WebCrypto (the browser page) — and the proof that matters to an auditor: the
 * same file gets the same verdict from either.
 */
import { createHash, createSign, generateKeyPairSync, sign } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserVerificationCrypto } from '../../../../shared/pdf/verify/browser-crypto.ts';
import { createPdfVerifier, UnsupportedAlgorithmError, type VerificationCrypto } from '../../../../shared/pdf/verify/index.ts';
import { nodeVerificationCrypto } from '../../../../shared/pdf/verify/node-crypto.ts';
import { createSignedPdfFixture, type SignedPdfFixture } from '../../../support/signed-pdfs.ts';

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const ECDSA_SHA384 = '1.2.840.10045.4.3.3';
const RSA_SHA256 = '1.2.840.113549.1.1.11';
const message = new TextEncoder().encode('민원 처리 결과');

const ecKey = (namedCurve: 'P-256' | 'P-384') => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  return { privateKey, spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })) };
};

/** The same ECDSA signature with s replaced by n − s (equally valid; "high S" half the time). */
const withNegatedS = (der: Uint8Array): Uint8Array => {
  const signature = p256.Signature.fromBytes(der, 'der');
  return new Uint8Array(new p256.Signature(signature.r, p256.Point.Fn.ORDER - signature.s).toBytes('der'));
};

const describeVerificationCryptoContract = (name: string, crypto: VerificationCrypto, supportsRsa: boolean) => {
  describe(`${name} VerificationCrypto`, () => {
    it('hashes with SHA-256', async () => {
      expect(Buffer.from(await crypto.sha256(message)).toString('hex')).toBe(createHash('sha256').update(message).digest('hex'));
    });

    it('accepts an ECDSA P-256 signature over the data, in either S half', async () => {
      const { privateKey, spki } = ecKey('P-256');
      const der = new Uint8Array(sign('sha256', message, privateKey));

      expect(await crypto.verify(ECDSA_SHA256, spki, message, der)).toBe(true);
      expect(await crypto.verify(ECDSA_SHA256, spki, message, withNegatedS(der))).toBe(true);
    });

    it('accepts ECDSA P-384 with SHA-384', async () => {
      const { privateKey, spki } = ecKey('P-384');

      expect(await crypto.verify(ECDSA_SHA384, spki, message, new Uint8Array(sign('sha384', message, privateKey)))).toBe(true);
    });

    it('answers false, without throwing, for other data, another key, a garbled signature or a garbled key', async () => {
      const { privateKey, spki } = ecKey('P-256');
      const other = ecKey('P-256');
      const der = new Uint8Array(sign('sha256', message, privateKey));

      expect(await crypto.verify(ECDSA_SHA256, spki, new TextEncoder().encode('other'), der)).toBe(false);
      expect(await crypto.verify(ECDSA_SHA256, other.spki, message, der)).toBe(false);
      expect(await crypto.verify(ECDSA_SHA256, spki, message, der.subarray(3))).toBe(false);
      expect(await crypto.verify(ECDSA_SHA256, spki.subarray(5), message, der)).toBe(false);
    });

    it('rejects an algorithm it does not know with UnsupportedAlgorithmError', async () => {
      const { spki } = ecKey('P-256');

      await expect(crypto.verify('1.2.3.4', spki, message, new Uint8Array(8))).rejects.toBeInstanceOf(UnsupportedAlgorithmError);
    });

    it(supportsRsa ? 'verifies RSA PKCS#1 v1.5 with SHA-256' : 'rejects RSA with UnsupportedAlgorithmError rather than answering false', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
      const signature = new Uint8Array(createSign('sha256').update(message).sign(privateKey));

      const result = crypto.verify(RSA_SHA256, spki, message, signature);

      if (supportsRsa) await expect(result).resolves.toBe(true);
      else await expect(result).rejects.toBeInstanceOf(UnsupportedAlgorithmError);
    });
  });
};

describeVerificationCryptoContract('node', nodeVerificationCrypto, true);
describeVerificationCryptoContract('browser', browserVerificationCrypto, false);

describe('node and browser crypto', () => {
  let fixture: SignedPdfFixture;
  let files: Record<string, Uint8Array>;

  beforeAll(async () => {
    fixture = await createSignedPdfFixture();
    const valid = await fixture.signPdf({ applicantSeal: await fixture.issueApplicantSeal() });
    const changed = new Uint8Array(valid);
    changed[2000] = changed[2000]! ^ 0x01;
    files = { valid, changed, truncated: valid.subarray(0, valid.length - 10) };
  }, 60_000);

  it.each(['valid', 'changed', 'truncated'])('give the same verdict for a %s result', async (name) => {
    const validationTime = new Date(fixture.start.getTime() + 86_400_000);
    const viaNode = await createPdfVerifier({ trustAnchors: [fixture.rootDer], crypto: nodeVerificationCrypto }).verify(files[name]!, { validationTime });
    const viaBrowser = await createPdfVerifier({ trustAnchors: [fixture.rootDer], crypto: browserVerificationCrypto }).verify(files[name]!, { validationTime });

    expect(viaBrowser).toEqual(viaNode);
  });

  it('give different conclusions for the valid and the changed result (the comparison is not vacuous)', async () => {
    const verifier = createPdfVerifier({ trustAnchors: [fixture.rootDer], crypto: browserVerificationCrypto });

    expect((await verifier.verify(files.valid!)).conclusion.indication).toBe('TOTAL_PASSED');
    expect((await verifier.verify(files.changed!)).conclusion.indication).toBe('TOTAL_FAILED');
  });
});
