/**
 * The steps that turn a decision into a signed document (DESIGN §1): IssueSeal (the applicant's
 * digital seal certificate, when the type asks for it), RenderResult (the result or rejection
 * notice as a PDF, prepared for signing) and SignResult (PAdES B-LT with the handling agency's
 * seal). Each is journaled like every step, and each records what it made first-writer-wins, so a
 * replay never yields a second seal certificate or a second signed result.
 */
import { auditEvents } from '../audit/events.ts';
import type { PetitionType } from '../catalog/schema.ts';
import { IdentityMismatchError, PetitionNotFoundError } from '../errors.ts';
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { sha256Hex } from '../petition/digest.ts';
import type { Decision, Petition, PetitionArtifact } from '../petition/model.ts';
import { preparePdfForSigning, signPreparedPdf } from '../pdf/pades/index.ts';
import { renderResultPdf } from '../pdf/render/index.ts';
import type { FontPaths } from '../pdf/render/font-program.ts';
import { checkApplicantSealUsable, createOneTimeSealKey, issueApplicantSeal, readApplicantSeal } from '../seal/applicant-seal.ts';
import { describeCertificate } from '../seal/certificate.ts';
import { parseCrl } from '../seal/crl.ts';
import type { Pki } from '../seal/pki.ts';
import { APPLICANT_SEAL_FILES } from '../pdf/verify/applicant-seal.ts';
import { EVIDENCE_FILE } from '../pdf/verify/evidence.ts';
import type { EvidenceDigest } from '../pdf/verify/verdict.ts';
import type { ReviewedDecision } from './review-steps.ts';
import { journaledStep } from './step-journal.ts';
import type { CaughtError, PetitionRef, RetrievedEvidence, StepDeps } from './steps.ts';

export interface SealingStepDeps extends StepDeps {
  pki: Pki;
  /** The API's public address: the verification link in the QR code, CRL distribution points. */
  publicBaseUrl: string;
  /** Validity of an applicant seal certificate. */
  applicantSealDays: number;
  /** The TrueType faces results are set in. @default Noto Sans KR from node_modules */
  fonts?: FontPaths;
}

/** The workflow state a sealing step receives (the whole state: LambdaInvoke's default payload). */
export interface SealingInput extends PetitionRef {
  /** The rules' decision, or a case officer's (RequestReview's result), which names who decided. */
  decision?: Decision | ReviewedDecision;
  error?: CaughtError;
  evidence?: RetrievedEvidence[];
}
export interface RenderedDocument {
  document: 'result' | 'rejection-notice';
  objectKey: string;
  sha256: string;
  signingTime: string;
}
export interface SignedDocument {
  document: 'result' | 'rejection-notice';
  objectKey: string;
  sha256: string;
}

const DAY_MS = 86_400_000;



const typeOf = (deps: StepDeps, petition: Petition): PetitionType => {
  const type = deps.catalog.petitionTypes.get(petition.type);
  if (!type) throw new PetitionNotFoundError(`petition '${petition.id}' has type '${petition.type}', which the catalog no longer has`);
  return type;
};

/**
 * What the applicant applied for, exactly: the type and version, the fields as submitted (NFC) and
 * the consent given, as canonical JSON (RFC 8785): anyone holding it recomputes the digest the seal binds.
 */
export const canonicalApplication = (petition: Petition): string =>
  canonicalize({ petitionId: petition.id, petitionType: petition.type, typeVersion: petition.typeVersion, fields: petition.fields, consent: petition.consent, submittedAt: petition.createdAt })!;

const approved = (input: SealingInput): boolean => input.error === undefined && input.decision?.outcome === 'approve';

/**
 * IssueSeal: the applicant's digital seal (the 인감 replacement). A certificate signed by the platform
 * seal binds the verified person to the digest of the application, and the seal's one-time key seals
 * that very application; the key is then discarded, so the seal can never seal anything else.
 */
export const issueSeal = (input: PetitionRef, deps: SealingStepDeps): Promise<{ serialNumber: string; sha256: string }> =>
  journaledStep(deps, { state: 'IssueSeal', status: 'SEALING', input: { petitionId: input.petitionId } }, async (petition) => {
    const { identity } = petition;
    if (!identity.rrnKeyedHash) {
      throw new IdentityMismatchError(`an applicant seal needs an identity provider that vouches for the resident registration number; '${identity.issuer}' did not`);
    }
    const now = deps.clock();
    const application = canonicalApplication(petition);
    const digest = createHash('sha256').update(application).digest();
    const key = createOneTimeSealKey();
    let certificate: Uint8Array;
    let signature: Uint8Array;
    try {
      certificate = await issueApplicantSeal({
        platformSeal: await deps.pki.sealingIdentity('platform'),
        applicant: {
          name: identity.name,
          birthDate: identity.birthDate,
          rrnKeyedHash: identity.rrnKeyedHash,
          identityProvider: identity.issuer,
          assuranceLevel: identity.assuranceLevel,
          verifiedAt: identity.authenticatedAt,
        },
        applicationDigest: digest.toString('hex'),
        petitionId: petition.id,
        notBefore: now,
        notAfter: new Date(now.getTime() + deps.applicantSealDays * DAY_MS),
        publicKeySpki: await key.publicKeySpki(),
        publicBaseUrl: deps.publicBaseUrl,
      });
      signature = await key.signDigest(digest);
    } finally {
      key.discard();
    }
    const description = describeCertificate(certificate);
    const sha256 = sha256Hex(certificate);
    const objectKey = `seals/${petition.id}/${sha256}.der`;
    const applicationKey = `seals/${petition.id}/${sha256}-application.json`;
    await deps.objects.put(applicationKey, new TextEncoder().encode(application), 'application/json');
    await deps.objects.put(objectKey, certificate, 'application/pkix-cert');
    // A replay that lost the race uses the seal recorded first; its own certificate is never referenced.
    const recorded = await deps.store.putArtifact({
      kind: 'applicant-seal',
      petitionId: petition.id,
      objectKey,
      sha256,
      createdAt: now.toISOString(),
      serialNumber: description.serialNumber,
      notAfter: description.notAfter.toISOString(),
      applicationKey,
      applicationSignature: Buffer.from(signature).toString('hex'),
    });
    await deps.audit.record(auditEvents.signature(recorded));
    return { serialNumber: recorded.kind === 'applicant-seal' ? recorded.serialNumber : description.serialNumber, sha256: recorded.sha256 };
  });

const sealArtifactOf = async (deps: SealingStepDeps, petitionId: string) => {
  const artifact = await deps.store.getArtifact(petitionId, 'applicant-seal');
  if (!artifact || artifact.kind !== 'applicant-seal') return undefined;
  const certificate = await deps.objects.get(artifact.objectKey);
  if (!certificate || sha256Hex(certificate) !== artifact.sha256) {
    throw new PetitionNotFoundError(`the applicant seal of petition '${petitionId}' is recorded at ${artifact.objectKey} but missing or altered`);
  }
  return { artifact, certificate };
};

const reasonsOf = (input: SealingInput): string[] => {
  if (input.error !== undefined) {
    const cause = input.error.Cause ?? '';
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: unknown };
      if (typeof parsed.errorMessage === 'string') return [parsed.errorMessage];
    } catch {
      // Locally the Cause is the message itself.
    }
    return [cause || input.error.Error];
  }
  return (input.decision?.reasons ?? []).map((reason) => reason.ko);
};

const fieldValue = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** RenderResult: the result (approval) or rejection notice, rendered and prepared for the agency's seal. */
export const renderResult = (input: SealingInput, deps: SealingStepDeps): Promise<RenderedDocument> => {
  const document = approved(input) ? 'result' : 'rejection-notice';
  return journaledStep(deps, { state: 'RenderResult', status: 'SEALING', input: { petitionId: input.petitionId, document }, label: document }, async (petition) => {
    const type = typeOf(deps, petition);
    const agency = deps.catalog.agencies.get(type.handlingAgency);
    if (!agency) throw new PetitionNotFoundError(`petition type '${type.id}' is handled by '${type.handlingAgency}', which the catalog does not have`);
    const now = deps.clock();
    // A case officer's decision reaches the workflow here first (RouteReview → …): recorded once, here.
    if (input.decision && 'decidedBy' in input.decision) await deps.audit.record(auditEvents.decision(petition.id, input.decision, `agency:${input.decision.decidedBy}`));
    const [record, seal, identity] = await Promise.all([
      deps.store.getPetitionRecord(petition.id),
      document === 'result' ? sealArtifactOf(deps, petition.id) : Promise.resolve(undefined),
      deps.pki.sealingIdentity(`agency:${agency.id}`),
    ]);
    const sealBinding = seal && readApplicantSeal(seal.certificate);
    const sealDescription = seal && describeCertificate(seal.certificate);
    const fieldLabel = new Map(type.fields.map((f) => [f.name, f.label.ko]));
    const evidenceName = new Map(type.evidence.map((e) => [e.id, e.name.ko]));
    const { doc, sealAppearance } = await renderResultPdf({
      kind: document,
      title: `${type.name.ko} ${document === 'result' ? '결과 통지서' : '반려 통지서'}`,
      issuingAgency: { id: agency.id, name: agency.name.ko, nameEn: agency.name.en, ...(agency.sealText ? { sealText: agency.sealText } : {}) },
      petition: {
        id: petition.id,
        typeName: type.name.ko,
        submittedAt: petition.createdAt,
        applicantName: petition.identity.name,
        fields: Object.entries(petition.fields)
          .filter(([, value]) => value !== undefined)
          .map(([name, value]) => ({ label: fieldLabel.get(name) ?? name, value: fieldValue(value) })),
      },
      decision: {
        outcome: document === 'result' ? 'approve' : 'reject',
        label: document === 'result' ? '승인' : '반려',
        reasons: reasonsOf(input),
        decidedAt: input.decision?.decidedAt ?? now.toISOString(),
      },
      evidence: record.evidence.map((e) => ({
        document: evidenceName.get(e.evidenceId) ?? e.documentType,
        issuingAgency: deps.catalog.agencies.get(e.agency)?.name.ko ?? e.agency,
        retrievedAt: e.retrievedAt,
        sha256: e.sha256,
      })),
      ...(sealDescription && sealBinding
        ? {
            sealCertificate: {
              serial: sealDescription.serialNumber,
              subject: sealDescription.subject.commonName ?? petition.identity.name,
              issuer: sealDescription.issuer.commonName ?? 'hanbeon platform seal',
              notAfter: sealDescription.notAfter.toISOString(),
              applicationDigest: sealBinding.applicationDigest,
            },
          }
        : {}),
      verification: { url: `${deps.publicBaseUrl}/verify`, resultId: petition.id },
    }, deps.fonts ? { fonts: deps.fonts } : {});
    // The evidence table again, machine-readable and under the signature: `hanbeon verify` lists it
    // and an auditor compares a document's SHA-256 without reading the page.
    const evidenceDigests: EvidenceDigest[] = record.evidence.map((e) => ({
      evidenceId: e.evidenceId,
      document: evidenceName.get(e.evidenceId) ?? e.documentType,
      issuingAgency: e.agency,
      retrievedAt: e.retrievedAt,
      sha256: e.sha256,
    }));
    await doc.attach(new TextEncoder().encode(JSON.stringify(evidenceDigests)), EVIDENCE_FILE, {
      mimeType: 'application/json',
      description: '증빙 서류 목록 (evidence retrieved, with SHA-256)',
    });
    if (seal) {
      // The sealed application, its seal signature and the seal certificate travel inside the result,
      // so an auditor checks the seal with nothing but the file and the root (docs/applicant-seal.md).
      const application = await deps.objects.get(seal.artifact.applicationKey);
      if (!application) throw new PetitionNotFoundError(`the sealed application of petition '${petition.id}' is missing from object storage`);
      await doc.attach(seal.certificate, APPLICANT_SEAL_FILES.certificate, { mimeType: 'application/pkix-cert', description: '전자 인감 인증서 (applicant seal certificate)' });
      await doc.attach(application, APPLICANT_SEAL_FILES.application, { mimeType: 'application/json', description: '신청 내용 (the sealed application, RFC 8785 JSON)' });
      await doc.attach(Buffer.from(seal.artifact.applicationSignature, 'hex'), APPLICANT_SEAL_FILES.signature, { mimeType: 'application/octet-stream', description: 'ECDSA P-256 signature of SHA-256(application.json) by the applicant seal' });
    }
    // With an applicant seal, the DSS also carries the platform seal and its CRL: the seal is then
    // validated offline like the signature itself.
    const validationData = seal
      ? { certificate: identity.certificate, chain: [...identity.chain, (await deps.pki.sealingIdentity('platform')).certificate], crls: [...identity.crls, await deps.pki.crl('platform-seal')] }
      : identity;
    const prepared = await preparePdfForSigning(doc, {
      identity: validationData,
      appearance: sealAppearance,
      reason: document === 'result' ? `${type.name.ko} 결과` : `${type.name.ko} 반려`,
      location: agency.name.ko,
      name: agency.name.ko,
      signingTime: now,
    });
    const sha256 = sha256Hex(prepared);
    const objectKey = `results/${petition.id}/${document}-prepared-${sha256}.pdf`;
    await deps.objects.put(objectKey, prepared, 'application/pdf');
    return { document, objectKey, sha256, signingTime: now.toISOString() };
  });
};

/** SignResult: the agency's PAdES seal with a timestamp; the first signed result recorded is the result. */
export const signResult = (input: SealingInput & { rendered: RenderedDocument }, deps: SealingStepDeps): Promise<SignedDocument> =>
  journaledStep(deps, { state: 'SignResult', status: 'SEALING', input: { petitionId: input.petitionId, rendered: input.rendered.sha256 }, label: input.rendered.document }, async (petition) => {
    const type = typeOf(deps, petition);
    const prepared = await deps.objects.get(input.rendered.objectKey);
    if (!prepared || sha256Hex(prepared) !== input.rendered.sha256) {
      throw new PetitionNotFoundError(`the rendered ${input.rendered.document} of petition '${petition.id}' is missing or altered`);
    }
    const now = deps.clock();
    if (input.rendered.document === 'result') {
      // A seal revoked or expired since it was issued cannot be used: the petition is rejected instead.
      const seal = await sealArtifactOf(deps, petition.id);
      if (seal) checkApplicantSealUsable(seal.certificate, { at: now, crl: parseCrl(await deps.pki.crl('platform-seal')) });
    }
    const [identity, timestampAuthority] = await Promise.all([deps.pki.sealingIdentity(`agency:${type.handlingAgency}`), deps.pki.timestampAuthority()]);
    const signed = await signPreparedPdf(prepared, { identity, timestampAuthority, signingTime: new Date(input.rendered.signingTime) });
    const objectKey = `results/${petition.id}/${input.rendered.document}-${signed.sha256}.pdf`;
    await deps.objects.put(objectKey, signed.pdf, 'application/pdf');
    const artifact: PetitionArtifact = {
      kind: 'signed-result',
      petitionId: petition.id,
      objectKey,
      sha256: signed.sha256,
      createdAt: now.toISOString(),
      document: input.rendered.document,
      sealedBy: type.handlingAgency,
    };
    const recorded = await deps.store.putArtifact(artifact);
    await deps.audit.record(auditEvents.signature(recorded));
    return { document: input.rendered.document, objectKey: recorded.objectKey, sha256: recorded.sha256 };
  });
