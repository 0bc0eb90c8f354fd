/**
 * A throw-away PKI made with the `openssl` CLI, independent of the platform's own PKI code:
 * ECDSA P-256 root → intermediate "Seal CA" → seal certificate (digitalSignature, nonRepudiation)
 * and a TSA certificate (critical extendedKeyUsage timeStamping), CRLs from both CAs, and two
 * timestamp authorities: `openssl ts -reply` (independent, for interop) and a tiny in-process one
 * (fast, for timing only).
 */
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { p256 } from '@noble/curves/nist.js';
import type { SealingIdentity, TimestampAuthority } from '../../shared/seal/sealing-identity.ts';
import type { Signer } from '../../shared/seal/signer.ts';
import { createSignedData, OID } from '../../shared/pdf/pades/cms.ts';
import { algorithm, octetString, oid, sequence, smallInteger, TAG, tlv } from '../../shared/pdf/pades/der.ts';

const run = promisify(execFile);

/** Runs a CLI tool and returns its stdout; rejects with its stderr when it exits non-zero. */
export const runTool = async (command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<{ stdout: string; stderr: string }> => {
  try {
    return await run(command, args, { cwd: options.cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as { stderr?: string; stdout?: string; code?: number };
    throw new Error(`${command} ${args.join(' ')} exited ${String(failure.code)}: ${failure.stderr ?? ''}${failure.stdout ?? ''}`, { cause: error });
  }
};

const openssl = (dir: string, ...args: string[]) => runTool('openssl', args, { cwd: dir });

/** A Signer over a PKCS#8 PEM key: signs the digest as given (noble, prehash off) — node:crypto would hash it again. */
export const signerFromPem = (keyPem: string, keyId = 'test:pem'): Signer => {
  const key = createPrivateKey(keyPem);
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || !jwk.d) throw new Error(`received a ${String(jwk.kty)}/${String(jwk.crv)} key; expected EC P-256`);
  const secretKey = Buffer.from(jwk.d, 'base64url');
  const spki = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  return {
    keyId,
    signDigest: async (digest) => {
      if (digest.length !== 32) throw new Error(`received a ${digest.length}-byte digest; expected 32`);
      return p256.sign(digest, secretKey, { prehash: false, format: 'der' });
    },
    publicKeySpki: async () => spki,
  };
};

export interface TestCertificate {
  readonly keyPath: string;
  readonly certificatePath: string;
  /** DER. */
  readonly certificate: Uint8Array;
}

export interface TestPki {
  readonly dir: string;
  readonly root: TestCertificate;
  readonly sealCa: TestCertificate;
  readonly seal: TestCertificate & { readonly signer: Signer };
  readonly tsa: TestCertificate & { readonly signer: Signer };
  /** DER CRLs of the Seal CA and the root. */
  readonly crls: readonly Uint8Array[];
  readonly identity: SealingIdentity;
  /** Timestamps made by `openssl ts -reply` (two process spawns each). */
  readonly opensslTsa: TimestampAuthority;
  /** Timestamps made in-process over the same TSA key (RFC 3161 TSTInfo in CMS); for timing. */
  readonly inProcessTsa: TimestampAuthority;
  remove(): Promise<void>;
}

const config = (dir: string) => `
[req]
distinguished_name = dn
[dn]
[root_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[seal_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[tsa_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[crl_ext]
authorityKeyIdentifier = keyid:always
[root_ca]
database = ${dir}/root-index.txt
crlnumber = ${dir}/root-crlnumber
certificate = ${dir}/root.pem
private_key = ${dir}/root.key
default_md = sha256
default_crl_days = 30
crl_extensions = crl_ext
[seal_ca]
database = ${dir}/sealca-index.txt
crlnumber = ${dir}/sealca-crlnumber
certificate = ${dir}/sealca.pem
private_key = ${dir}/sealca.key
default_md = sha256
default_crl_days = 30
crl_extensions = crl_ext
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = ${dir}/tsa-serial
signer_cert = ${dir}/tsa.pem
signer_key = ${dir}/tsa.key
certs = ${dir}/sealca.pem
signer_digest = sha256
default_policy = 1.2.410.200000.1.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

const derOf = async (dir: string, pemFile: string, kind: 'x509' | 'crl'): Promise<Uint8Array> => {
  const derFile = `${pemFile}.der`;
  await openssl(dir, kind, '-in', pemFile, '-outform', 'DER', '-out', derFile);
  return new Uint8Array(await readFile(join(dir, derFile)));
};

const issue = async (dir: string, name: string, subject: string, extensions: string, issuer?: string): Promise<TestCertificate> => {
  await openssl(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  if (issuer === undefined) {
    await openssl(dir, 'req', '-x509', '-new', '-key', `${name}.key`, '-subj', subject, '-days', '3650', '-sha256', '-config', 'openssl.cnf', '-extensions', extensions, '-out', `${name}.pem`);
  } else {
    await openssl(dir, 'req', '-new', '-key', `${name}.key`, '-subj', subject, '-config', 'openssl.cnf', '-out', `${name}.csr`);
    await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '1825', '-sha256', '-extfile', 'openssl.cnf', '-extensions', extensions, '-out', `${name}.pem`);
  }
  return { keyPath: join(dir, `${name}.key`), certificatePath: join(dir, `${name}.pem`), certificate: await derOf(dir, `${name}.pem`, 'x509') };
};

const crlOf = async (dir: string, ca: 'root' | 'sealca', section: string): Promise<Uint8Array> => {
  await writeFile(join(dir, `${ca}-index.txt`), '');
  await writeFile(join(dir, `${ca}-crlnumber`), '01\n');
  await openssl(dir, 'ca', '-gencrl', '-config', 'openssl.cnf', '-name', section, '-out', `${ca}.crl.pem`);
  return derOf(dir, `${ca}.crl.pem`, 'crl');
};

const opensslTimestampAuthority = (dir: string): TimestampAuthority => ({
  timestamp: async (digest) => {
    const id = randomBytes(6).toString('hex');
    await openssl(dir, 'ts', '-query', '-digest', Buffer.from(digest).toString('hex'), '-sha256', '-cert', '-out', `${id}.tsq`);
    await openssl(dir, 'ts', '-reply', '-config', 'openssl.cnf', '-queryfile', `${id}.tsq`, '-token_out', '-out', `${id}.tst`);
    return new Uint8Array(await readFile(join(dir, `${id}.tst`)));
  },
});

const generalizedTime = (date: Date): Uint8Array =>
  tlv(TAG.GENERALIZED_TIME, new TextEncoder().encode(date.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z')));

/** RFC 3161 TimeStampToken built in-process: TSTInfo encapsulated in our own CMS SignedData, signed by the TSA key. */
const inProcessTimestampAuthority = (signer: Signer, certificate: Uint8Array): TimestampAuthority => ({
  timestamp: async (digest) => {
    const tstInfo = sequence(
      smallInteger(1),
      oid('1.2.410.200000.1.1'),
      sequence(algorithm(OID.sha256), octetString(digest)),
      tlv(TAG.INTEGER, Uint8Array.of(0x01, ...randomBytes(8))),
      generalizedTime(new Date()),
    );
    return createSignedData({
      signer,
      certificate,
      chain: [],
      contentType: OID.tstInfo,
      content: tstInfo,
      contentDigest: createHash('sha256').update(tstInfo).digest(),
    });
  },
});

/** Makes a fresh PKI in a temp dir; `label` goes into every subject so two PKIs are told apart. */
export const createTestPki = async (label = 'Hanbeon Test'): Promise<TestPki> => {
  const dir = await mkdtemp(join(tmpdir(), 'hanbeon-pki-'));
  await writeFile(join(dir, 'openssl.cnf'), config(dir));
  await writeFile(join(dir, 'tsa-serial'), '01\n');
  const subject = (cn: string) => `/C=KR/O=${label}/CN=${cn}`;

  const root = await issue(dir, 'root', subject(`${label} Root CA`), 'root_ext');
  const sealCa = await issue(dir, 'sealca', subject('Seal CA'), 'ca_ext', 'root');
  const seal = await issue(dir, 'seal', subject('Ministry of the Interior and Safety Seal'), 'seal_ext', 'sealca');
  const tsa = await issue(dir, 'tsa', subject('Timestamp Authority'), 'tsa_ext', 'sealca');
  const crls = [await crlOf(dir, 'sealca', 'seal_ca'), await crlOf(dir, 'root', 'root_ca')];

  const sealSigner = signerFromPem(await readFile(seal.keyPath, 'utf8'), 'test:seal');
  const tsaSigner = signerFromPem(await readFile(tsa.keyPath, 'utf8'), 'test:tsa');
  return {
    dir,
    root,
    sealCa,
    seal: { ...seal, signer: sealSigner },
    tsa: { ...tsa, signer: tsaSigner },
    crls,
    identity: { signer: sealSigner, certificate: seal.certificate, chain: [sealCa.certificate, root.certificate], crls },
    opensslTsa: opensslTimestampAuthority(dir),
    inProcessTsa: inProcessTimestampAuthority(tsaSigner, tsa.certificate),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
};
