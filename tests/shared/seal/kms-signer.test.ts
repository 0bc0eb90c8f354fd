/**
 * KmsSigner against a faithful KMS mock: Sign really signs the given digest (no rehashing) with a
 * P-256 test key, GetPublicKey returns that key's SPKI, and keys can be disabled or missing as in KMS.
 */
import {
  DisabledException,
  GetPublicKeyCommand,
  type GetPublicKeyCommandOutput,
  KMSClient,
  KMSInvalidStateException,
  NotFoundException,
  SignCommand,
  type SignCommandInput,
} from '@aws-sdk/client-kms';
import { p256 } from '@noble/curves/nist.js';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsSigner } from '../../../shared/seal/kms-signer.ts';
import { SignerUnavailableError } from '../../../shared/seal/signer.ts';
import { describeSignerContract } from './signer-contract.ts';

const kms = mockClient(KMSClient);
const KEY_ARN = 'arn:aws:kms:ap-northeast-2:123456789012:key/1f7c2a7e-2b7e-4c59-9d2a-7c1e0c8f3a11';

// --- a faithful KMS ----------------------------------------------------------------------------

interface FakeKey {
  privateKey?: KeyObject;
  publicKeyDescription: Omit<GetPublicKeyCommandOutput, '$metadata'>;
  state: 'Enabled' | 'Disabled' | 'PendingDeletion';
}

const keys = new Map<string, FakeKey>();

const accessDenied = (): Error =>
  Object.assign(new Error('User is not authorized to perform: kms:Sign on this resource'), { name: 'AccessDeniedException', $fault: 'client' });

/** Finds a key as KMS does: unknown → NotFoundException, disabled → DisabledException, pending deletion → KMSInvalidStateException. */
const usableKey = (keyId: string | undefined): FakeKey => {
  const key = keys.get(keyId ?? '');
  if (!key) throw new NotFoundException({ message: `Key '${keyId}' does not exist`, $metadata: {} });
  if (key.state === 'Disabled') throw new DisabledException({ message: `${keyId} is disabled.`, $metadata: {} });
  if (key.state === 'PendingDeletion') throw new KMSInvalidStateException({ message: `${keyId} is pending deletion.`, $metadata: {} });
  return key;
};

const givenP256Key = (keyId = KEY_ARN): FakeKey => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const key: FakeKey = {
    privateKey,
    state: 'Enabled',
    publicKeyDescription: {
      KeyId: keyId,
      PublicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    },
  };
  keys.set(keyId, key);
  return key;
};

const givenRsaKey = (keyId = KEY_ARN): void => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keys.set(keyId, {
    state: 'Enabled',
    publicKeyDescription: {
      KeyId: keyId,
      PublicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      KeySpec: 'RSA_2048',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'],
    },
  });
};

beforeEach(() => {
  keys.clear();
  kms.reset();
  kms.on(GetPublicKeyCommand).callsFake((input: { KeyId?: string }) => usableKey(input.KeyId).publicKeyDescription);
  kms.on(SignCommand).callsFake((input: SignCommandInput) => {
    const key = usableKey(input.KeyId);
    if (input.SigningAlgorithm !== 'ECDSA_SHA_256' || !key.privateKey) throw Object.assign(new Error('unsupported algorithm'), { name: 'InvalidKeyUsageException' });
    // KMS checks that a DIGEST message has the length of the algorithm's hash.
    if (input.MessageType !== 'DIGEST' || input.Message?.length !== 32) throw Object.assign(new Error('Digest is invalid length'), { name: 'ValidationException' });
    const scalar = Buffer.from(key.privateKey.export({ format: 'jwk' }).d!, 'base64url');
    // KMS signs the digest as given and answers DER; lowS: false because KMS, like OpenSSL, does not normalise s.
    const signature = p256.sign(input.Message, scalar, { prehash: false, format: 'der', lowS: false });
    return { KeyId: input.KeyId, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' };
  });
});

const signerFor = (keyId = KEY_ARN): KmsSigner => new KmsSigner({ client: new KMSClient({ region: 'ap-northeast-2' }), keyId });
const digestOf = (message: string): Uint8Array => new Uint8Array(createHash('sha256').update(message).digest());

// --- the port's contract, through the faithful mock -------------------------------------------

describeSignerContract('KmsSigner', async () => {
  givenP256Key();
  return signerFor();
});

// --- what this adapter owes besides --------------------------------------------------------

describe('KmsSigner', () => {
  it('sends KMS the digest itself, as MessageType DIGEST with ECDSA_SHA_256', async () => {
    givenP256Key();
    const digest = digestOf('petition 42');

    await signerFor().signDigest(digest);

    const [sign] = kms.commandCalls(SignCommand);
    expect(sign?.args[0].input).toEqual({ KeyId: KEY_ARN, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
  });

  it('uses the configured key id as its key id', async () => {
    givenP256Key();

    expect(signerFor().keyId).toBe(KEY_ARN);
  });

  it('reads the public key from KMS once and reuses it', async () => {
    givenP256Key();
    const signer = signerFor();

    await signer.publicKeySpki();
    await signer.signDigest(digestOf('a'));
    await signer.signDigest(digestOf('b'));
    await signer.publicKeySpki();

    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(SignCommand)).toHaveLength(2);
  });

  it('asks KMS again for the public key after a transient failure', async () => {
    givenP256Key();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    kms.on(GetPublicKeyCommand).rejectsOnce(throttled).callsFake((input: { KeyId?: string }) => usableKey(input.KeyId).publicKeyDescription);
    const signer = signerFor();

    await expect(signer.publicKeySpki()).rejects.toBe(throttled);
    await expect(signer.publicKeySpki()).resolves.toEqual(keys.get(KEY_ARN)!.publicKeyDescription.PublicKey);
  });

  it('refuses a key whose spec is not ECC_NIST_P256, before signing anything', async () => {
    givenRsaKey();
    const signer = signerFor();

    await expect(signer.signDigest(digestOf('x'))).rejects.toThrow(
      new SignerUnavailableError(`KMS key ${KEY_ARN} has key spec RSA_2048; expected ECC_NIST_P256`),
    );
    await expect(signer.publicKeySpki()).rejects.toThrow(SignerUnavailableError);
    expect(kms.commandCalls(SignCommand)).toHaveLength(0);
  });

  it('refuses a P-256 key made for key agreement rather than signing', async () => {
    const key = givenP256Key();
    key.publicKeyDescription = { ...key.publicKeyDescription, KeyUsage: 'KEY_AGREEMENT', SigningAlgorithms: undefined, KeyAgreementAlgorithms: ['ECDH'] };

    await expect(signerFor().publicKeySpki()).rejects.toThrow(/key usage KEY_AGREEMENT\) offers signing algorithms \[\]; expected ECDSA_SHA_256/);
  });

  it.each([
    ['DisabledException', (key: FakeKey) => (key.state = 'Disabled')],
    ['KMSInvalidStateException', (key: FakeKey) => (key.state = 'PendingDeletion')],
    ['NotFoundException', () => keys.clear()],
  ])('maps %s to SignerUnavailableError with the key id, keeping the cause', async (kmsError, breakKey) => {
    const key = givenP256Key();
    const signer = signerFor();
    await signer.publicKeySpki();
    breakKey(key);

    const error = await signer.signDigest(digestOf('x')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SignerUnavailableError);
    expect((error as Error).message).toBe(`KMS Sign for key ${KEY_ARN} failed with ${kmsError}; expected an enabled ECC_NIST_P256 key this role may use`);
    expect((error as Error).cause).toMatchObject({ name: kmsError });
  });

  it('maps AccessDeniedException on GetPublicKey to SignerUnavailableError', async () => {
    givenP256Key();
    kms.on(GetPublicKeyCommand).rejects(accessDenied());

    await expect(signerFor().publicKeySpki()).rejects.toThrow(`KMS GetPublicKey for key ${KEY_ARN} failed with AccessDeniedException`);
  });

  it('lets throttling and internal errors through unchanged, so that they stay retryable', async () => {
    givenP256Key();
    const internal = Object.assign(new Error('internal'), { name: 'KMSInternalException' });
    kms.on(SignCommand).rejects(internal);

    await expect(signerFor().signDigest(digestOf('x'))).rejects.toBe(internal);
  });

  it('never reaches KMS with a digest of the wrong length', async () => {
    givenP256Key();

    await expect(signerFor().signDigest(new Uint8Array(48))).rejects.toThrow(RangeError);

    expect(kms.calls()).toHaveLength(0);
  });
});
