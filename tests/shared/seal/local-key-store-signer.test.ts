/**
 * The local key store: real files, real encryption, checked with the real `openssl` binary.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { KeyAlreadyExistsError, LocalKeyStore } from '../../../shared/seal/local-key-store-signer.ts';
import { SignerUnavailableError } from '../../../shared/seal/signer.ts';
import { describeSignerContract } from './signer-contract.ts';

const run = promisify(execFile);
const PASSPHRASE = 'correct horse battery staple';
const NODE = process.execPath;
const STORE_MODULE = new URL('../../../shared/seal/local-key-store-signer.ts', import.meta.url).pathname;

// --- factories -------------------------------------------------------------------------------

const givenDirectory = async (): Promise<string> => {
  const directory = await mkdtemp(join(tmpdir(), 'hanbeon-keys-'));
  onTestFinished(() => rm(directory, { recursive: true, force: true }));
  return directory;
};

const givenStore = async (passphrase = PASSPHRASE): Promise<{ store: LocalKeyStore; directory: string }> => {
  // A subdirectory that does not exist yet, so that the store creates it.
  const directory = join(await givenDirectory(), 'keys');
  return { store: new LocalKeyStore({ directory, passphrase }), directory };
};

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

const contractDirectory = await mkdtemp(join(tmpdir(), 'hanbeon-contract-keys-'));
afterAll(() => rm(contractDirectory, { recursive: true, force: true }));
let contractKeys = 0;

// --- the port's contract, for real -----------------------------------------------------------

describeSignerContract('LocalKeyStore', async () =>
  new LocalKeyStore({ directory: contractDirectory, passphrase: PASSPHRASE }).create(`contract-${++contractKeys}`),
);

// --- what this adapter owes besides --------------------------------------------------------

describe('LocalKeyStore', () => {
  it('creates the key directory 0700 and each key file 0600, named <name>.key.pem', async () => {
    const { store, directory } = await givenStore();

    await store.create('platform-seal');

    expect(await readdir(directory)).toEqual(['platform-seal.key.pem']);
    expect((await mode(directory)).toString(8)).toBe('700');
    expect((await mode(join(directory, 'platform-seal.key.pem'))).toString(8)).toBe('600');
  });

  it('names its keys local:<name>', async () => {
    const { store } = await givenStore();

    expect((await store.create('agency-mois')).keyId).toBe('local:agency-mois');
  });

  it('stores the key encrypted: openssl refuses a wrong passphrase and reads it with the right one', async () => {
    const { store } = await givenStore();
    const signer = await store.create('platform-seal');
    const file = store.keyFile('platform-seal');

    const wrong = await run('openssl', ['pkey', '-in', file, '-passin', 'pass:not the passphrase', '-noout']).catch((e: unknown) => e);
    const right = await run('openssl', ['pkey', '-in', file, '-passin', `pass:${PASSPHRASE}`, '-pubout', '-outform', 'DER'], { encoding: 'buffer' });

    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringContaining('bad decrypt') });
    expect(right.stdout.equals(Buffer.from(await signer.publicKeySpki()))).toBe(true);
  });

  it('never writes the private key in the clear', async () => {
    const { store } = await givenStore();
    await store.create('platform-seal');
    const file = store.keyFile('platform-seal');
    const contents = await readFile(file, 'utf8');
    const clear = await run('openssl', ['pkey', '-in', file, '-passin', `pass:${PASSPHRASE}`, '-outform', 'DER'], { encoding: 'buffer' });
    const scalar = await run('openssl', ['pkey', '-in', file, '-passin', `pass:${PASSPHRASE}`, '-text', '-noout']);
    const privHex = /priv:\s*([\s\S]*?)\s*pub:/.exec(scalar.stdout)![1]!.replace(/[\s:]/g, '');
    const body = Buffer.from(contents.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, ''), 'base64');

    expect(contents).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(contents).not.toContain(clear.stdout.toString('base64').slice(0, 64));
    expect(body.includes(clear.stdout)).toBe(false);
    expect(body.includes(Buffer.from(privHex.slice(-64), 'hex'))).toBe(false);
    expect(contents).not.toContain(PASSPHRASE);
  });

  it('refuses a wrong passphrase with SignerUnavailableError naming the file, not the passphrase', async () => {
    const { store, directory } = await givenStore();
    await store.create('platform-seal');
    const elsewhere = new LocalKeyStore({ directory, passphrase: 'hunter2-not-it' });

    const opening = elsewhere.open('platform-seal');

    await expect(opening).rejects.toThrow(SignerUnavailableError);
    const error = (await opening.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(store.keyFile('platform-seal'));
    expect(error.message).not.toContain('hunter2-not-it');
  });

  it('refuses a key that is not P-256, naming its curve', async () => {
    const { store, directory } = await givenStore();
    await store.create('placeholder');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    await writeFile(join(directory, 'p384.key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }));

    await expect(store.open('p384')).rejects.toThrow(/p384\.key\.pem holds a key of type ec on curve secp384r1; expected ECDSA P-256/);
  });

  it('refuses a key file that is not encrypted', async () => {
    const { store, directory } = await givenStore();
    await store.create('placeholder');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(join(directory, 'plain.key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));

    await expect(store.open('plain')).rejects.toThrow(/plain\.key\.pem is not an encrypted PKCS#8 PEM/);
  });

  it('reports an absent key as SignerUnavailableError', async () => {
    const { store } = await givenStore();

    await expect(store.open('nobody')).rejects.toThrow(SignerUnavailableError);
  });

  it('reopens a stored key with the same public key and signs with it', async () => {
    const { store, directory } = await givenStore();
    const created = await store.create('platform-seal');

    const reopened = await new LocalKeyStore({ directory, passphrase: PASSPHRASE }).open('platform-seal');

    expect(Buffer.from(await reopened.publicKeySpki()).equals(Buffer.from(await created.publicKeySpki()))).toBe(true);
    expect(reopened.publicKey().equals(created.publicKey())).toBe(true);
  });

  it('never overwrites an existing key: creating it again fails and leaves the file as it was', async () => {
    const { store } = await givenStore();
    await store.create('platform-seal');
    const before = await readFile(store.keyFile('platform-seal'));

    await expect(store.create('platform-seal')).rejects.toThrow(KeyAlreadyExistsError);

    expect((await readFile(store.keyFile('platform-seal'))).equals(before)).toBe(true);
  });

  it('gives every concurrent openOrCreate of one name the same single key', async () => {
    const { store, directory } = await givenStore();

    const signers = await Promise.all(Array.from({ length: 8 }, () => store.openOrCreate('platform-seal')));

    const keys = new Set(await Promise.all(signers.map(async (s) => Buffer.from(await s.publicKeySpki()).toString('hex'))));
    expect(keys.size).toBe(1);
    expect(await readdir(directory)).toEqual(['platform-seal.key.pem']);
  });

  it('gives several processes racing to create one key the same, whole key file', async () => {
    const { directory } = await givenStore();
    const script = `
      const { LocalKeyStore } = await import(${JSON.stringify(STORE_MODULE)});
      const signer = await new LocalKeyStore({ directory: process.argv[1], passphrase: process.argv[2] }).openOrCreate('platform-seal');
      process.stdout.write(Buffer.from(await signer.publicKeySpki()).toString('hex'));`;

    const outputs = await Promise.all(
      Array.from({ length: 4 }, () => run(NODE, ['--no-warnings', '--input-type=module', '-e', script, directory, PASSPHRASE])),
    );

    const stored = await new LocalKeyStore({ directory, passphrase: PASSPHRASE }).open('platform-seal');
    expect(new Set(outputs.map((o) => o.stdout))).toEqual(new Set([Buffer.from(await stored.publicKeySpki()).toString('hex')]));
    expect(await readdir(directory)).toEqual(['platform-seal.key.pem']);
  });

  it.each(['../escape', 'a/b', '', '.', '-leading-dash', 'Upper', 'dot.name', 'nul\0', 'x'.repeat(64)])('refuses the key name %j', async (name) => {
    const { store, directory } = await givenStore();

    await expect(store.create(name)).rejects.toThrow(RangeError);
    await expect(store.openOrCreate(name)).rejects.toThrow(/expected \^\[a-z0-9\]/);
    await expect(readdir(directory)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('accepts a 63-character name', async () => {
    const { store } = await givenStore();

    expect((await store.create('a'.repeat(63))).keyId).toBe(`local:${'a'.repeat(63)}`);
  });
});
