import { createHash, createVerify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ApplicantSealRequestError, ApplicantSealUnusableError, checkApplicantSealUsable, createOneTimeSealKey, issueApplicantSeal,
  readApplicantSeal, type ApplicantSealRequest,
} from '../../../shared/seal/applicant-seal.ts';
import { parseCrl } from '../../../shared/seal/crl.ts';
import { fromPem } from '../../../shared/seal/der.ts';
import { OID_APPLICANT_SEAL_BINDING } from '../../../shared/seal/oids.ts';
import { SignerUnavailableError } from '../../../shared/seal/signer.ts';
import { applicantSealIdentity, createTrustHierarchy, revoke, sealingIdentityFor, type TrustManifest } from '../../../shared/seal/trust-hierarchy.ts';
import { givenKeyRing, givenWorkDir, openssl, run } from './pki-fixtures.ts';

// --- factories -------------------------------------------------------------------------------

const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
const minutes = (n: number) => new Date(start.getTime() + n * 60_000);
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

const givenPlatform = async () => {
  const { keys } = givenKeyRing();
  const manifest = await createTrustHierarchy({ keys, agencies: ['mois'], clock: () => start });
  return { keys, manifest, platformSeal: await sealingIdentityFor(manifest, 'platform', keys) };
};

const applicationFor = (petitionId = 'petition-0001') => ({ petitionType: 'move-in-report', petitionId, address: '서울특별시 종로구 세종대로 209' });

const requestFor = async (platform: Awaited<ReturnType<typeof givenPlatform>>, overrides: Partial<ApplicantSealRequest> = {}) => {
  const key = createOneTimeSealKey();
  const request: ApplicantSealRequest = {
    platformSeal: platform.platformSeal,
    applicant: {
      name: '김영희',
      birthDate: '1985-03-14',
      rrnKeyedHash: sha256Hex('keyed hash stand-in'),
      identityProvider: 'https://idp.hanbeon.example',
      assuranceLevel: 'substantial',
      verifiedAt: minutes(10).toISOString(),
    },
    applicationDigest: sha256Hex(JSON.stringify(applicationFor())),
    petitionId: 'petition-0001',
    notBefore: minutes(10),
    notAfter: minutes(70),
    publicKeySpki: await key.publicKeySpki(),
    ...overrides,
  };
  return { key, request };
};

const platformCrl = (manifest: TrustManifest) => fromPem(manifest.platform.crl, 'X509 CRL');

// --- specification ---------------------------------------------------------------------------

describe('issueApplicantSeal', () => {
  it('issues a seal certificate that openssl verifies through the platform seal and Seal CA to the root, every CRL checked', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform);
    const seal = await issueApplicantSeal(request);
    const identity = applicantSealIdentity(platform.manifest, seal, createOneTimeSealKey());
    const work = await givenWorkDir();

    const result = await openssl('verify', '-crl_check_all', '-attime', String(minutes(20).getTime() / 1000),
      '-CAfile', await work.pem('root.pem', identity.chain.at(-1)!),
      '-untrusted', await work.pem('chain.pem', identity.chain.slice(0, -1)),
      '-CRLfile', await work.pem('crls.pem', identity.crls, 'X509 CRL'),
      await work.pem('seal.pem', seal));

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('lets NSS accept the applicant seal for document signing under the platform seal', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform, { notBefore: minutes(0), notAfter: minutes(600) });
    const seal = await issueApplicantSeal(request);
    const { chain } = applicantSealIdentity(platform.manifest, seal, createOneTimeSealKey());
    const work = await givenWorkDir();
    const db = `sql:${work.dir}`;
    await run('certutil', ['-N', '-d', db, '--empty-password']);
    const add = async (nickname: string, der: Uint8Array, trust = ',,') => run('certutil', ['-A', '-d', db, '-n', nickname, '-t', trust, '-i', await work.pem(`${nickname}.pem`, der)]);
    await add('root', chain[2]!, 'C,C,C');
    await add('seal-ca', chain[1]!);
    await add('platform', chain[0]!);
    await add('applicant', seal);

    const result = await run('certutil', ['-V', '-d', db, '-n', 'applicant', '-u', 'S']);

    expect(result.stdout).toContain('certificate is valid');
  });

  it('carries the binding in a non-critical extension that openssl x509 -text prints readably', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform);
    const work = await givenWorkDir();

    const text = (await openssl('x509', '-noout', '-text', '-nameopt', 'utf8', '-in', await work.pem('seal.pem', await issueApplicantSeal(request)))).stdout;

    expect(text).toContain('Subject: C=KR, CN=김영희');
    expect(text).toContain(`${OID_APPLICANT_SEAL_BINDING}: \n`);
    expect(text).not.toContain(`${OID_APPLICANT_SEAL_BINDING}: critical`);
    expect(text).toContain(`"applicationDigest":"${request.applicationDigest}"`);
    expect(text).toContain('"petitionId":"petition-0001"');
  });

  it('names the platform seal CRL under the public base URL', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform, { publicBaseUrl: 'https://hanbeon.example' });
    const work = await givenWorkDir();

    const text = (await openssl('x509', '-noout', '-ext', 'crlDistributionPoints', '-in', await work.pem('seal.pem', await issueApplicantSeal(request)))).stdout;

    expect(text).toContain('URI:https://hanbeon.example/v1/trust/crl/platform-seal.crl');
  });

  it('reads back exactly the applicant and application it was issued for', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform);

    const seal = readApplicantSeal(await issueApplicantSeal(request));

    expect(seal).toMatchObject({ ...request.applicant, applicationDigest: request.applicationDigest, petitionId: request.petitionId });
    expect(seal.notBefore).toEqual(request.notBefore);
    expect(seal.notAfter).toEqual(request.notAfter);
  });

  it('certifies the one-time key, whose signature over the application verifies with the certificate', async () => {
    const platform = await givenPlatform();
    const { key, request } = await requestFor(platform);
    const seal = await issueApplicantSeal(request);
    const applicationDigest = Buffer.from(request.applicationDigest, 'hex');

    const signature = await key.signDigest(applicationDigest);
    key.discard();

    const certified = new X509Certificate(seal).publicKey;
    expect(certified.export({ format: 'der', type: 'spki' })).toEqual(Buffer.from(await key.publicKeySpki()));
    expect(createVerify('sha256').update(JSON.stringify(applicationFor())).verify(certified, signature)).toBe(true);
    await expect(key.signDigest(applicationDigest)).rejects.toThrow(SignerUnavailableError);
  });

  it('refuses a resident registration number in place of its keyed hash', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform);

    const issuing = issueApplicantSeal({ ...request, applicant: { ...request.applicant, rrnKeyedHash: '8503141234567' } });

    await expect(issuing).rejects.toThrow(ApplicantSealRequestError);
    await expect(issuing).rejects.toThrow(/rrnKeyedHash: expected 64 lowercase hex digits/);
    await expect(issuing).rejects.not.toThrow(/8503141234567/);
  });

  it('refuses a validity beyond that of the platform seal', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform, { notAfter: new Date(start.getTime() + 10 * 365 * 86_400_000) });

    await expect(issueApplicantSeal(request)).rejects.toThrow(/expected no later than the platform seal's/);
  });
});

describe('checkApplicantSealUsable', () => {
  it('accepts a seal within its validity that the platform CRL does not list', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform);
    const seal = await issueApplicantSeal(request);

    expect(checkApplicantSealUsable(seal, { at: minutes(20), crl: platformCrl(platform.manifest) }).petitionId).toBe('petition-0001');
    expect(checkApplicantSealUsable(seal, { at: minutes(20), crl: parseCrl(platformCrl(platform.manifest)) }).name).toBe('김영희');
  });

  it('refuses an expired seal and says when it expired', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform);
    const seal = await issueApplicantSeal(request);

    const check = () => checkApplicantSealUsable(seal, { at: minutes(71), crl: platformCrl(platform.manifest) });

    expect(check).toThrow(ApplicantSealUnusableError);
    expect(check).toThrow(`expired at ${minutes(70).toISOString()}`);
    expect(() => check()).toThrowError(expect.objectContaining({ name: 'ApplicantSealUnusableError', reason: 'expired' }));
  });

  it('refuses a seal the platform has revoked', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform);
    const seal = await issueApplicantSeal(request);
    const revoked = await revoke(platform.manifest, { serialNumber: readApplicantSeal(seal).serialNumber, reason: 'privilegeWithdrawn', at: minutes(15), issuedBy: 'platform' }, platform.keys);

    const check = () => checkApplicantSealUsable(seal, { at: minutes(20), crl: platformCrl(revoked) });

    expect(check).toThrowError(expect.objectContaining({ reason: 'revoked' }));
    expect(check).toThrow(`revoked at ${minutes(15).toISOString()} (privilegeWithdrawn)`);
  });

  it('refuses to judge a seal with the CRL of another issuer', async () => {
    const platform = await givenPlatform();
    const { request } = await requestFor(platform);
    const seal = await issueApplicantSeal(request);

    const check = () => checkApplicantSealUsable(seal, { at: minutes(20), crl: fromPem(platform.manifest.sealCa.crl, 'X509 CRL') });

    expect(check).toThrowError(expect.objectContaining({ reason: 'crl-not-applicable' }));
  });

  it('refuses a certificate that is not an applicant seal', async () => {
    const platform = await givenPlatform();
    const agencySeal = fromPem(platform.manifest.agencies.mois!.certificate, 'CERTIFICATE');

    expect(() => readApplicantSeal(agencySeal)).toThrowError(expect.objectContaining({ reason: 'not-an-applicant-seal' }));
  });
});
