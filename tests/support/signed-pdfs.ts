/**
 * Signed result PDFs as the platform makes them, for the offline verifier's suites and benchmark:
 * the real trust hierarchy (root → Seal CA → agency seal / platform seal / TSA, CRLs), a rendered
 * result, the attachments of sealing-steps.ts (evidence.json, and with an applicant seal:
 * applicant-seal.cer, application.json, application.sig), the DSS, and a PAdES B-T signature with
 * an RFC 3161 timestamp from the local TSA. Time is explicit everywhere, so a suite can sign
 * "later", revoke "before" and validate "years after" without waiting.
 *
 * Keys are in-memory P-256 signers (not the encrypted key store): the fixture is about the
 * documents, and it must also run outside vitest (the benchmark imports it).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { PDFDocument, PDFRef } from 'pdf-lib';
import { preparePdfForSigning, signPreparedPdf } from '../../shared/pdf/pades/index.ts';
import { renderResultPdf, type SealAppearance } from '../../shared/pdf/render/index.ts';
import type { EvidenceDigest } from '../../shared/pdf/verify/verdict.ts';
import { createOneTimeSealKey, issueApplicantSeal } from '../../shared/seal/applicant-seal.ts';
import { describeCertificate } from '../../shared/seal/certificate.ts';
import { fromPem, toPem } from '../../shared/seal/der.ts';
import type { SealingIdentity } from '../../shared/seal/sealing-identity.ts';
import type { Signer } from '../../shared/seal/signer.ts';
import { LocalTimestampAuthority } from '../../shared/seal/timestamp-authority.ts';
import {
  createTrustHierarchy, refreshCrls, revoke, rootCertificateOf, sealingIdentityFor, type TrustManifest,
} from '../../shared/seal/trust-hierarchy.ts';
import { sampleResultDocument } from './sample-result.ts';

/** The agency whose seal signs fixture results. */
export const FIXTURE_AGENCY = 'mohw';
const DAY = 86_400_000;

const inMemorySigner = (name: string): Signer => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const secret = new Uint8Array(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  return {
    keyId: `fixture:${name}`,
    signDigest: async (digest) => p256.sign(digest, secret, { prehash: false, format: 'der' }),
    publicKeySpki: async () => spki,
  };
};

/** Evidence digests like the ones RetrieveEvidence records (three documents from three agencies). */
export const sampleEvidence = (): EvidenceDigest[] => [
  { evidenceId: 'resident-register', document: '주민등록표 초본', issuingAgency: 'mois', retrievedAt: '2026-11-24T03:00:01.000Z', sha256: createHash('sha256').update('resident').digest('hex') },
  { evidenceId: 'income', document: '소득금액증명', issuingAgency: 'nts', retrievedAt: '2026-11-24T03:00:02.000Z', sha256: createHash('sha256').update('income').digest('hex') },
  { evidenceId: 'property', document: '부동산 등기사항증명서', issuingAgency: 'court', retrievedAt: '2026-11-24T03:00:03.000Z', sha256: createHash('sha256').update('property').digest('hex') },
];

export interface ApplicantSealFixture {
  /** DER applicant seal certificate. */
  readonly certificate: Uint8Array;
  /** Lower-case hex serial number (as describeCertificate gives it). */
  readonly serialNumber: string;
  readonly application: Uint8Array;
  readonly signature: Uint8Array;
  readonly petitionId: string;
}

export interface IssueApplicantSealOptions {
  /** notBefore of the seal; @default the fixture's start */
  readonly at?: Date;
  /** @default 30 */
  readonly days?: number;
  readonly petitionId?: string;
}

export interface SignPdfOptions {
  /** /M and the signing moment; the TSA's genTime is one second later. @default start + 1 hour */
  readonly signingTime?: Date;
  /** Attach this applicant seal (application.json, .sig, .cer, platform seal and CRL in the DSS). */
  readonly applicantSeal?: ApplicantSealFixture;
  /** Attach evidence.json with these digests (`false`: no evidence.json). @default sampleEvidence() */
  readonly evidence?: readonly EvidenceDigest[] | false;
  /** Raw bytes for evidence.json instead of JSON of `evidence` (to attach a malformed list). */
  readonly evidenceBytes?: Uint8Array;
  /** Sign with another SealingIdentity than the agency seal of the fixture's hierarchy. */
  readonly identity?: SealingIdentity;
}

export interface SignedPdfFixture {
  /** The trust anchor, DER and PEM. */
  readonly rootDer: Uint8Array;
  readonly rootPem: string;
  /** When the hierarchy was created: every certificate's notBefore. */
  readonly start: Date;
  /** The current manifest (revocations and CRL refreshes replace it). */
  manifest(): TrustManifest;
  /** The agency seal certificate (DER) signing the results. */
  agencySealCertificate(): Uint8Array;
  /** A signed result PDF as SignResult produces it. */
  signPdf(options?: SignPdfOptions): Promise<Uint8Array>;
  /** An applicant seal issued by the platform seal over a small application, with its one-time signature. */
  issueApplicantSeal(options?: IssueApplicantSealOptions): Promise<ApplicantSealFixture>;
  /** Revokes the agency seal at `at` (the Seal CA CRL is re-issued then). */
  revokeAgencySeal(at: Date): Promise<void>;
  /** Revokes an applicant seal at `at` (the platform seal CRL is re-issued then). */
  revokeApplicantSeal(seal: ApplicantSealFixture, at: Date): Promise<void>;
  /** Re-issues the Seal CA and platform CRLs for a window starting at `at`. */
  refreshCrls(at: Date): Promise<void>;
}

const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** A hierarchy created at `start` (default: an hour ago, whole seconds) and a signer of result PDFs under it. */
export const createSignedPdfFixture = async (options: { start?: Date } = {}): Promise<SignedPdfFixture> => {
  const start = options.start ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
  const signers = new Map<string, Signer>();
  const keys = async (name: string): Promise<Signer> => {
    if (!signers.has(name)) signers.set(name, inMemorySigner(name));
    return signers.get(name)!;
  };
  let manifest = await createTrustHierarchy({ keys, agencies: [{ id: FIXTURE_AGENCY, name: '보건복지부' }], clock: () => start });
  const rootDer = rootCertificateOf(manifest);

  // Rendering is the slow part (font subsetting): render once, reload the saved bytes per document.
  const document = sampleResultDocument();
  const rendered = await renderResultPdf(document, { renderedAt: start });
  const baseBytes = await rendered.doc.save({ useObjectStreams: false });
  const baseAppearance: SealAppearance = rendered.sealAppearance;

  const pem = (label: 'CERTIFICATE' | 'X509 CRL', text: string) => fromPem(text, label);

  const fixture: SignedPdfFixture = {
    rootDer,
    rootPem: toPem(rootDer, 'CERTIFICATE'),
    start,
    manifest: () => manifest,
    agencySealCertificate: () => pem('CERTIFICATE', manifest.agencies[FIXTURE_AGENCY]!.certificate),

    async issueApplicantSeal({ at = start, days = 30, petitionId = document.petition.id } = {}) {
      const application = new TextEncoder().encode(JSON.stringify({ petitionId, petitionType: 'basic-pension', fields: { address: '서울특별시 종로구 세종대로 209' } }));
      const digest = createHash('sha256').update(application).digest();
      const key = createOneTimeSealKey();
      try {
        const certificate = await issueApplicantSeal({
          platformSeal: await sealingIdentityFor(manifest, 'platform', keys),
          applicant: {
            name: document.petition.applicantName,
            birthDate: '1959-03-14',
            rrnKeyedHash: sha256Hex('keyed hash stand-in'),
            identityProvider: 'https://idp.hanbeon.example',
            assuranceLevel: 'substantial',
            verifiedAt: at.toISOString(),
          },
          applicationDigest: digest.toString('hex'),
          petitionId,
          notBefore: at,
          notAfter: new Date(at.getTime() + days * DAY),
          publicKeySpki: await key.publicKeySpki(),
        });
        const signature = await key.signDigest(digest);
        return { certificate, serialNumber: describeCertificate(certificate).serialNumber, application, signature, petitionId };
      } finally {
        key.discard();
      }
    },

    async signPdf({ signingTime = new Date(start.getTime() + 3_600_000), applicantSeal, evidence = sampleEvidence(), evidenceBytes, identity } = {}) {
      const doc = await PDFDocument.load(baseBytes, { updateMetadata: false });
      const appearance: SealAppearance = { ...baseAppearance, ref: PDFRef.of(baseAppearance.ref.objectNumber, baseAppearance.ref.generationNumber) };
      const evidenceJson = evidenceBytes ?? (evidence === false ? undefined : new TextEncoder().encode(JSON.stringify(evidence)));
      if (evidenceJson) await doc.attach(evidenceJson, 'evidence.json', { mimeType: 'application/json', description: '증빙 서류 목록 (evidence retrieved, with SHA-256)' });
      const agency = identity ?? await sealingIdentityFor(manifest, `agency:${FIXTURE_AGENCY}`, keys);
      let validationData: Pick<SealingIdentity, 'certificate' | 'chain' | 'crls'> = agency;
      if (applicantSeal) {
        await doc.attach(applicantSeal.certificate, 'applicant-seal.cer', { mimeType: 'application/pkix-cert', description: '전자 인감 인증서 (applicant seal certificate)' });
        await doc.attach(applicantSeal.application, 'application.json', { mimeType: 'application/json', description: '신청 내용' });
        await doc.attach(applicantSeal.signature, 'application.sig', { mimeType: 'application/octet-stream', description: 'ECDSA P-256 signature' });
        validationData = {
          certificate: agency.certificate,
          chain: [...agency.chain, pem('CERTIFICATE', manifest.platform.certificate)],
          crls: [...agency.crls, pem('X509 CRL', manifest.platform.crl)],
        };
      }
      const prepared = await preparePdfForSigning(doc, { identity: validationData, appearance, reason: '기초연금 수급 신청 결과', location: '보건복지부', name: '보건복지부', signingTime });
      const tsa = await sealingIdentityFor(manifest, 'tsa', keys);
      const timestampAuthority = new LocalTimestampAuthority({ identity: tsa, clock: () => new Date(signingTime.getTime() + 1000) });
      return (await signPreparedPdf(prepared, { identity: agency, timestampAuthority, signingTime })).pdf;
    },

    async revokeAgencySeal(at) {
      manifest = await revoke(manifest, { serialNumber: manifest.agencies[FIXTURE_AGENCY]!.serialNumber, reason: 'keyCompromise', at }, keys);
    },
    async revokeApplicantSeal(seal, at) {
      manifest = await revoke(manifest, { serialNumber: seal.serialNumber, reason: 'keyCompromise', at, issuedBy: 'platform' }, keys);
    },
    async refreshCrls(at) {
      manifest = await refreshCrls(manifest, keys, () => at);
    },
  };
  return fixture;
};
