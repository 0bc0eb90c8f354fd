/**
 * The signature timestamp (RFC 3161 TimeStampToken in the unsigned attribute
 * signature-time-stamp, ETSI EN 319 122-1 §5.3): a TSA's CMS signature over TSTInfo whose
 * messageImprint is the SHA-256 of the signature value. When valid, its genTime is the
 * best-signature-time: proof the signature existed then.
 *
 * The TSA's own certificates are judged at genTime, not at the validation time: a B-T/B-LT
 * signature validated after the TSA certificate expired would otherwise need an archive timestamp
 * (B-LTA) that our platform does not add. This trusts that the TSA key was not compromised and
 * misused after the fact — the assumption every B-LT validation makes until it is augmented.
 */
import { childrenOf, contentOf, expectTag, integerHex, readOid, readTime, readWhole, smallInteger, TAG } from './asn1.ts';
import { bytesEqual } from '../bytes.ts';
import { parseSignedData, singleValue } from './cms.ts';
import { UnsupportedAlgorithmError } from './errors.ts';
import { OIDS, signatureAlgorithmFor } from './oids.ts';
import { validateCertificatePath } from './path-validation.ts';
import { CheckReport } from './report.ts';
import { checkSigningCertificate } from './signing-certificate.ts';
import type { KnownCertificate, KnownCrl, VerificationContext } from './verification-context.ts';
import { readAlgorithm, commonNameOf } from './x509.ts';

export interface TimestampOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly genTime?: Date;
  readonly tsa?: KnownCertificate;
}

/** The TSTInfo fields the checks read (RFC 3161 §2.4.2). */
export interface TstInfo {
  readonly hashAlgorithm: string;
  readonly imprint: Uint8Array;
  readonly serialHex: string;
  readonly genTime: Date;
}

/** Reads a DER TSTInfo; throws MalformedDerError when it is not one. */
export const readTstInfo = (der: Uint8Array): TstInfo => {
  const [version, policy, imprint, serial, genTime] = childrenOf(der, readWhole(der, TAG.SEQUENCE));
  smallInteger(der, version!);
  readOid(der, policy!);
  const [algorithm, hashed] = childrenOf(der, expectTag(imprint, TAG.SEQUENCE, 'messageImprint'));
  return {
    hashAlgorithm: readAlgorithm(der, algorithm),
    imprint: contentOf(der, expectTag(hashed, TAG.OCTET_STRING, 'hashedMessage')),
    serialHex: integerHex(der, serial!),
    genTime: readTime(der, expectTag(genTime, TAG.GENERALIZED_TIME, 'genTime')),
  };
};

/** Verifies one TimeStampToken over `signatureValue`; `pool` and `crls` come from the file. */
export const verifyTimestampToken = async (
  token: Uint8Array, signatureValue: Uint8Array, pool: readonly KnownCertificate[], crls: readonly KnownCrl[], context: VerificationContext,
): Promise<TimestampOutcome> => {
  let tstInfo: TstInfo;
  let signedData: ReturnType<typeof parseSignedData>;
  try {
    signedData = parseSignedData(token);
    if (signedData.encapsulatedContentType !== OIDS.tstInfo || !signedData.content) return { ok: false, detail: 'the token does not encapsulate a TSTInfo' };
    tstInfo = readTstInfo(signedData.content);
  } catch (error) {
    return { ok: false, detail: `the token is malformed (${(error as Error).message})` };
  }
  if (signedData.signerInfos.length !== 1) return { ok: false, detail: `the token has ${signedData.signerInfos.length} signers; expected one` };
  if (tstInfo.hashAlgorithm !== OIDS.sha256) return { ok: false, detail: `the token's imprint uses ${tstInfo.hashAlgorithm}; this verifier checks SHA-256` };
  if (!bytesEqual(tstInfo.imprint, await context.crypto.sha256(signatureValue))) return { ok: false, detail: "the token's messageImprint is not the SHA-256 of this signature value: it timestamps something else" };

  const signerInfo = signedData.signerInfos[0]!;
  const { certificates: tokenCertificates } = await context.certificates(signedData.certificates, 'timestamp token');
  const candidates = [...tokenCertificates, ...pool];
  const { sid } = signerInfo;
  const tsa = candidates.find((c) => ('issuer' in sid ? bytesEqual(c.issuer, sid.issuer) && bytesEqual(c.serial, sid.serial) : false));
  if (!tsa) return { ok: false, detail: "the TSA's certificate is not in the token" };
  const tsaName = commonNameOf(tsa.subject);
  const contentType = singleValue(signerInfo.signed, OIDS.contentType);
  const messageDigest = singleValue(signerInfo.signed, OIDS.messageDigest);
  if (!signerInfo.signedAttributes || !contentType || !messageDigest) return { ok: false, detail: 'the token lacks the content-type or message-digest signed attribute' };
  try {
    if (readOid(contentType, readWhole(contentType)) !== OIDS.tstInfo) return { ok: false, detail: 'the token signs a content type other than TSTInfo' };
    if (signerInfo.digestAlgorithm !== OIDS.sha256) return { ok: false, detail: `the token digests with ${signerInfo.digestAlgorithm}; this verifier checks SHA-256` };
    const digest = contentOf(messageDigest, readWhole(messageDigest, TAG.OCTET_STRING));
    if (!bytesEqual(digest, await context.crypto.sha256(signedData.content!))) return { ok: false, detail: "the token's message-digest does not match its TSTInfo" };
  } catch (error) {
    return { ok: false, detail: `the token's attributes are malformed (${(error as Error).message})` };
  }
  let signatureValid: boolean;
  try {
    signatureValid = await context.crypto.verify(signatureAlgorithmFor(signerInfo.signatureAlgorithm, signerInfo.digestAlgorithm), tsa.spki, signerInfo.signedAttributes, signerInfo.signature);
  } catch (error) {
    if (error instanceof UnsupportedAlgorithmError) return { ok: false, detail: `the token's signature could not be checked: ${error.message}` };
    throw error;
  }
  if (!signatureValid) return { ok: false, detail: `the token's signature does not verify with the key of '${tsaName}'` };
  let binding: ReturnType<typeof checkSigningCertificate>;
  try {
    binding = checkSigningCertificate(signerInfo.signed, tsa);
  } catch (error) {
    binding = { ok: false, detail: `the token's signing-certificate attribute is malformed (${(error as Error).message})` };
  }
  if (!binding.ok) return { ok: false, detail: binding.detail };

  const report = new CheckReport();
  await validateCertificatePath({
    leaf: tsa, pool: candidates, crls, time: tstInfo.genTime, timeIsProven: true, purpose: 'timestamping', revocationRequired: false,
  }, report, context);
  const problems = report.checks.filter((c) => !c.ok);
  const blocking = report.failing;
  const notes = problems.map((c) => c.detail).join('; ');
  if (blocking) return { ok: false, detail: `the TSA certificate '${tsaName}' is not acceptable: ${notes}`, tsa };
  return {
    ok: true,
    genTime: tstInfo.genTime,
    tsa,
    detail: `RFC 3161 timestamp by '${tsaName}' at ${tstInfo.genTime.toISOString()} (serial ${tstInfo.serialHex}) over this signature value${notes ? `; note: ${notes}` : ''}`,
  };
};
