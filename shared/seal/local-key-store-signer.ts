/**
 * The local Signer adapter: a directory of ECDSA P-256 keys, one passphrase-encrypted PKCS#8 PEM per
 * key name (`<name>.key.pem`, readable by `openssl pkey -passin`). Keys are decrypted once, when
 * opened, and signing happens in memory.
 */
import { p256 } from '@noble/curves/nist.js';

// A table of multiples of the base point (~200 KB, built once per process) makes every local
// signature about a quarter faster; the seal and the timestamp of each result are two signatures.
p256.Point.BASE.precompute(8, false);
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SignerUnavailableError, type Signer } from './signer.ts';

/** Lower-case letters, digits and dashes: a name can never climb out of the directory or hide a file. */
const KEY_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const P256 = 'prime256v1';
const SHA256_DIGEST_BYTES = 32;
const ENCRYPTED_PEM_HEADER = '-----BEGIN ENCRYPTED PRIVATE KEY-----';

/** Creating a key under a name that is already taken: keys are never overwritten. */
export class KeyAlreadyExistsError extends Error {
  override readonly name = 'KeyAlreadyExistsError';
}

export interface LocalKeyStoreOptions {
  /** Directory of the key files; created 0700 if absent. */
  readonly directory: string;
  /** Passphrase that encrypts every key file of the store (from config, never logged). */
  readonly passphrase: string;
}

/** A key of the local store, decrypted in memory. */
export class LocalKeyStoreSigner implements Signer {
  readonly keyId: string;
  private readonly secretKey: Uint8Array;
  private readonly spki: Uint8Array;

  constructor(name: string, privateKey: KeyObject) {
    this.keyId = `local:${name}`;
    // noble needs the scalar itself: node's crypto.sign would hash the digest a second time.
    this.secretKey = new Uint8Array(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
    this.spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  }

  /** Signs a 32-byte SHA-256 digest as given (no second hashing); returns a DER ECDSA signature. */
  async signDigest(digest: Uint8Array): Promise<Uint8Array> {
    if (!(digest instanceof Uint8Array) || digest.length !== SHA256_DIGEST_BYTES) {
      throw new RangeError(`received a digest of ${describeLength(digest)}; expected a ${SHA256_DIGEST_BYTES}-byte SHA-256 digest`);
    }
    // extraEntropy hedges RFC 6979 nonces against fault attacks; signatures stay valid either way.
    return p256.sign(digest, this.secretKey, { prehash: false, format: 'der', extraEntropy: true });
  }

  /** The public key as DER SubjectPublicKeyInfo. */
  async publicKeySpki(): Promise<Uint8Array> {
    return this.spki.slice();
  }

  /** The public key as a node KeyObject, for `crypto.verify` and certificate checks. */
  publicKey(): KeyObject {
    return createPublicKey({ key: Buffer.from(this.spki), format: 'der', type: 'spki' });
  }
}

/** A directory of passphrase-encrypted P-256 keys, one file per key name. */
export class LocalKeyStore {
  private readonly directory: string;
  private readonly passphrase: string;

  constructor(options: LocalKeyStoreOptions) {
    if (options.passphrase.length === 0) throw new RangeError('received an empty key store passphrase; expected a non-empty passphrase');
    this.directory = resolve(options.directory);
    this.passphrase = options.passphrase;
  }

  /** Path of the file that holds key `name`. */
  keyFile(name: string): string {
    if (!KEY_NAME.test(name)) {
      throw new RangeError(`received key name ${JSON.stringify(name)}; expected ${KEY_NAME.source} (lower-case letters, digits, dashes)`);
    }
    return join(this.directory, `${name}.key.pem`);
  }

  /** Generates and stores a new key; throws KeyAlreadyExistsError if `name` is taken. */
  async create(name: string): Promise<LocalKeyStoreSigner> {
    const file = this.keyFile(name);
    await this.ensureDirectory();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: P256 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: this.passphrase });
    // Write a private temporary file, then link it into place: link is atomic and fails if the name
    // exists, so concurrent creators (even in other processes) never tear or overwrite a key file.
    const temporary = join(this.directory, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(temporary, pem, { mode: 0o600, flag: 'wx' });
    try {
      await link(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new KeyAlreadyExistsError(`key file ${file} already exists; expected a name that is not taken (use open or openOrCreate)`, { cause: error });
      }
      throw error;
    } finally {
      await unlink(temporary);
    }
    return new LocalKeyStoreSigner(name, privateKey);
  }

  /** Decrypts the stored key `name`; throws SignerUnavailableError if absent, undecryptable or not P-256. */
  async open(name: string): Promise<LocalKeyStoreSigner> {
    const file = this.keyFile(name);
    let pem: string;
    try {
      pem = await readFile(file, 'utf8');
    } catch (error) {
      throw new SignerUnavailableError(`cannot read key file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); expected an encrypted PKCS#8 PEM`, { cause: error });
    }
    if (!pem.trimStart().startsWith(ENCRYPTED_PEM_HEADER)) {
      throw new SignerUnavailableError(`key file ${file} is not an encrypted PKCS#8 PEM; expected it to start with ${ENCRYPTED_PEM_HEADER}`);
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: pem, format: 'pem', passphrase: this.passphrase });
    } catch (error) {
      // The cause is OpenSSL's decryption error; it never contains the passphrase.
      throw new SignerUnavailableError(`cannot decrypt key file ${file} with the configured passphrase; expected a PKCS#8 PEM encrypted with it`, { cause: error });
    }
    const curve = privateKey.asymmetricKeyDetails?.namedCurve;
    if (privateKey.asymmetricKeyType !== 'ec' || curve !== P256) {
      throw new SignerUnavailableError(`key file ${file} holds a key of type ${privateKey.asymmetricKeyType ?? 'unknown'}${curve ? ` on curve ${curve}` : ''}; expected ECDSA P-256 (${P256})`);
    }
    return new LocalKeyStoreSigner(name, privateKey);
  }

  /** Opens key `name`, creating it first if it does not exist (safe when several callers race). */
  async openOrCreate(name: string): Promise<LocalKeyStoreSigner> {
    try {
      return await this.open(name);
    } catch (error) {
      if (!(error instanceof SignerUnavailableError && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')) throw error;
    }
    try {
      return await this.create(name);
    } catch (error) {
      // Another caller created it between our open and our create: use theirs.
      if (error instanceof KeyAlreadyExistsError) return this.open(name);
      throw error;
    }
  }

  private async ensureDirectory(): Promise<void> {
    const created = await mkdir(this.directory, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; set it outright on directories we created.
    if (created !== undefined) await chmod(this.directory, 0o700);
  }
}

const describeLength = (digest: unknown): string =>
  digest instanceof Uint8Array ? `${digest.length} bytes` : `a ${typeof digest} instead of bytes`;
