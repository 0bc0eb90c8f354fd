/**
 * The AWS Signer adapter: an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY). The private key never
 * leaves KMS; this adapter only sends digests (`MessageType: DIGEST`) and reads the public key.
 */
import { GetPublicKeyCommand, SignCommand, type GetPublicKeyCommandOutput, type KMSClient } from '@aws-sdk/client-kms';
import { SIGNING_ALGORITHM, SignerUnavailableError, type Signer } from './signer.ts';

const KEY_SPEC = 'ECC_NIST_P256';
const SHA256_DIGEST_BYTES = 32;

/**
 * KMS errors that mean "this key cannot sign": retrying will not help, an operator must act.
 * Anything else (throttling, KMSInternalException, network) is passed through unchanged so that it
 * stays retryable.
 */
const KEY_UNAVAILABLE_ERRORS = new Set([
  'AccessDeniedException',
  'DisabledException',
  'IncorrectKeyException',
  'InvalidKeyUsageException',
  'KeyUnavailableException',
  'KMSInvalidStateException',
  'NotFoundException',
]);

export interface KmsSignerOptions {
  readonly client: KMSClient;
  /** The key's ARN (preferred: stable in records), id or alias. */
  readonly keyId: string;
}

/** Signs SHA-256 digests with an ECC_NIST_P256 KMS key. */
export class KmsSigner implements Signer {
  readonly keyId: string;
  private readonly client: KMSClient;
  private spki: Promise<Uint8Array> | undefined;

  constructor(options: KmsSignerOptions) {
    this.client = options.client;
    this.keyId = options.keyId;
  }

  /** Signs a 32-byte SHA-256 digest in KMS; returns the DER ECDSA signature KMS produced. */
  async signDigest(digest: Uint8Array): Promise<Uint8Array> {
    if (!(digest instanceof Uint8Array) || digest.length !== SHA256_DIGEST_BYTES) {
      const received = digest instanceof Uint8Array ? `${digest.length} bytes` : `a ${typeof digest} instead of bytes`;
      throw new RangeError(`received a digest of ${received}; expected a ${SHA256_DIGEST_BYTES}-byte SHA-256 digest`);
    }
    // Checked once (cached): a key of the wrong spec is refused before anything is signed with it.
    await this.publicKeySpki();
    const answer = await this.call('Sign', () =>
      this.client.send(new SignCommand({ KeyId: this.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: SIGNING_ALGORITHM })),
    );
    if (!answer.Signature) throw new Error(`KMS Sign for key ${this.keyId} returned no signature; expected a DER ECDSA signature`);
    return answer.Signature;
  }

  /** The public key as DER SubjectPublicKeyInfo, read once from KMS and checked to be P-256 for signing. */
  async publicKeySpki(): Promise<Uint8Array> {
    const pending = (this.spki ??= this.fetchPublicKey());
    try {
      return (await pending).slice();
    } catch (error) {
      // Do not cache a failure: a throttled or briefly unreachable KMS must be asked again.
      if (this.spki === pending) this.spki = undefined;
      throw error;
    }
  }

  private async fetchPublicKey(): Promise<Uint8Array> {
    const answer = await this.call('GetPublicKey', () => this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId })));
    checkSigningKey(this.keyId, answer);
    return answer.PublicKey!;
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const name = (error as Error | undefined)?.name;
      if (name && KEY_UNAVAILABLE_ERRORS.has(name)) {
        throw new SignerUnavailableError(`KMS ${operation} for key ${this.keyId} failed with ${name}; expected an enabled ${KEY_SPEC} key this role may use`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

const checkSigningKey = (keyId: string, answer: GetPublicKeyCommandOutput): void => {
  if (answer.KeySpec !== KEY_SPEC) {
    throw new SignerUnavailableError(`KMS key ${keyId} has key spec ${String(answer.KeySpec)}; expected ${KEY_SPEC}`);
  }
  if (!answer.SigningAlgorithms?.includes(SIGNING_ALGORITHM)) {
    throw new SignerUnavailableError(
      `KMS key ${keyId} (key usage ${String(answer.KeyUsage)}) offers signing algorithms [${(answer.SigningAlgorithms ?? []).join(', ')}]; expected ${SIGNING_ALGORITHM}`,
    );
  }
  if (!answer.PublicKey) throw new SignerUnavailableError(`KMS key ${keyId} returned no public key; expected a DER SubjectPublicKeyInfo`);
};
