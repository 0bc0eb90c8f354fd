/**
 * Test-only building blocks for the PKI suites: an in-memory Signer over a fresh P-256 key (so these
 * suites do not depend on the key-store or KMS adapters), and the real `openssl` binary on files in
 * a temporary directory removed after each test.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { onTestFinished } from 'vitest';
import { toPem } from '../../../shared/seal/der.ts';
import type { Signer } from '../../../shared/seal/signer.ts';

/** A Signer over a fresh P-256 key held in memory; counts its signatures. */
export const givenSigner = (name = 'test'): Signer & { signatures: number } => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const secret = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  const signer = {
    keyId: `test:${name}`,
    signatures: 0,
    async signDigest(digest: Uint8Array) {
      signer.signatures += 1;
      return p256.sign(digest, secret, { prehash: false, format: 'der' });
    },
    async publicKeySpki() {
      return spki;
    },
  };
  return signer;
};

/** Signers created on demand by name, the same one for the same name. */
export const givenKeyRing = () => {
  const signers = new Map<string, ReturnType<typeof givenSigner>>();
  return {
    signers,
    keys: async (name: string): Promise<Signer> => {
      if (!signers.has(name)) signers.set(name, givenSigner(name));
      return signers.get(name)!;
    },
  };
};

/** A temporary directory removed when the test finishes; `write` stores DER as PEM (or raw bytes). */
export const givenWorkDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hanbeon-pki-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return {
    dir,
    async pem(name: string, ders: Uint8Array | readonly Uint8Array[], label = 'CERTIFICATE') {
      const path = join(dir, name);
      const list = ders instanceof Uint8Array ? [ders] : ders;
      await writeFile(path, list.map((der) => toPem(der, label)).join(''));
      return path;
    },
    async raw(name: string, bytes: Uint8Array) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      return path;
    },
  };
};

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a real command line tool; resolves with its exit code and output, whatever the code. */
export const run = (command: string, args: readonly string[]): Promise<ToolResult> =>
  new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });

export const openssl = (...args: string[]) => run('openssl', args);
