/**
 * One PAdES signature (ETSI EN 319 142-1 baseline, CAdES detached CMS in /Contents) checked end
 * to end: the ByteRange, the CMS, the message digest over the signed bytes, the signature over the
 * signed attributes, the signing-certificate binding, the timestamp, the certification path at the
 * best-signature-time, revocation, and whether the signed bytes are the whole file.
 *
 * Choices where the standards leave one (each is a sub-indication of ETSI EN 319 102-1):
 * - A ByteRange that is not [0 a b c] around exactly this dictionary's /Contents string, or a
 *   CMS we cannot parse: INDETERMINATE FORMAT_FAILURE (we cannot tell what was signed).
 * - Non-zero bytes after the CMS inside /Contents: INDETERMINATE FORMAT_FAILURE. They are outside
 *   the signed ranges, so they could carry anything; our signer writes zeros.
 * - signing-certificate-v2 missing or naming another certificate: INDETERMINATE
 *   NO_SIGNING_CERTIFICATE_FOUND (§5.2.3 identification of the signing certificate), as is a sid
 *   that names no certificate of the CMS.
 * - The signed ranges do not reach the end of the file and no later signature covers the rest
 *   (an incremental update appended after signing): INDETERMINATE SIG_CONSTRAINTS_FAILURE. PAdES
 *   allows appended revisions, so the signature itself is not false; but what a reader sees may
 *   differ from what was signed, and our platform never appends one, so the document as given is not
 *   accepted as signed. This is pdfsig's "Not total document signed" (pdfsig also requires
 *   b + c == file size exactly; so do we, trailing whitespace included).
 * - No timestamp: the check fails as a note and the best-signature-time is the validation time; the
 *   signature can still pass when its certificates are valid and unrevoked now (a B-B signature).
 * - A timestamp that is present but invalid (another imprint, a broken TSA signature, an untrusted
 *   TSA): INDETERMINATE SIG_CONSTRAINTS_FAILURE. The token sits in the unsigned attributes, outside
 *   the signer's signature, so an invalid one means the CMS was altered or forged after signing;
 *   our platform's results always carry a valid one. The signature is then also judged at the
 *   validation time, so its other checks still say what they would say without the timestamp.
 */
import { contentOf, readOid, readTlv, readWhole, TAG } from './asn1.ts';
import { bytesEqual, concatBytes } from '../bytes.ts';
import { parseSignedData, singleValue, type SignedData, type SignerInfo } from './cms.ts';
import { UnsupportedAlgorithmError } from './errors.ts';
import { OIDS, signatureAlgorithmFor } from './oids.ts';
import { validateCertificatePath } from './path-validation.ts';
import { PdfDict, PdfString, pdfDateOf, textOf } from './pdf-objects.ts';
import type { SignatureDictionary } from './pdf-signatures.ts';
import { CheckReport, failed, indeterminate } from './report.ts';
import { checkSigningCertificate } from './signing-certificate.ts';
import { verifyTimestampToken } from './timestamp.ts';
import type { SignatureVerdict } from './verdict.ts';
import type { KnownCertificate, KnownCrl, VerificationContext } from './verification-context.ts';
import { commonNameOf, summarize } from './x509.ts';

const SUPPORTED_SUB_FILTERS = new Set(['ETSI.CAdES.detached', 'adbe.pkcs7.detached']);

/** [0 a b c] as written, when it is four non-negative integers. */
/** Clock difference tolerated between a TSA's genTime and the validation time. */
const CLOCK_SKEW_MS = 5 * 60_000;

export const byteRangeOf = (dict: PdfDict): readonly [number, number, number, number] | undefined => {
  const value = dict.get('ByteRange');
  if (!Array.isArray(value) || value.length !== 4 || !value.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) return undefined;
  return value as unknown as [number, number, number, number];
};

export interface SignatureInput {
  readonly pdf: Uint8Array;
  readonly signature: SignatureDictionary;
  readonly dssCertificates: readonly KnownCertificate[];
  readonly crls: readonly KnownCrl[];
  /** The end (b + c) of the furthest-reaching signed range among all signatures of the file. */
  readonly furthestSignedEnd: number;
}

export interface SignatureOutcome {
  readonly verdict: SignatureVerdict;
  /** The best-signature-time and whether a timestamp proves it. */
  readonly bestTime: Date;
  readonly timeIsProven: boolean;
  readonly claimedTime?: Date;
  readonly certificates: readonly KnownCertificate[];
}

interface Located {
  readonly cms: Uint8Array;
  readonly signedBytes: Uint8Array;
  readonly end: number;
}

/** The 'byte-range' and 'contents-padding' checks; the CMS and the signed bytes when the range is sound. */
const locate = (pdf: Uint8Array, dict: PdfDict, report: CheckReport): Located | undefined => {
  const range = byteRangeOf(dict);
  const contents = dict.get('Contents');
  if (!range || !(contents instanceof PdfString)) {
    report.fail('byte-range', 'the signature dictionary lacks a /ByteRange of four integers or a /Contents string', indeterminate('FORMAT_FAILURE'));
    return undefined;
  }
  const [start, a, b, c] = range;
  const shown = `[${range.join(' ')}]`;
  if (start !== 0 || a === 0 || a >= b || b + c > pdf.length || pdf[a] !== 0x3c || pdf[b - 1] !== 0x3e) {
    report.fail('byte-range', `/ByteRange ${shown} is not [0 a b c] around a <…> string inside the ${pdf.length}-byte file`, indeterminate('FORMAT_FAILURE'));
    return undefined;
  }
  // The gap must be exactly this dictionary's /Contents, hex-encoded: not some other string.
  if (!gapIsHexOf(pdf, a + 1, b - 1, contents.bytes)) {
    report.fail('byte-range', `the bytes between the ranges ${shown} are not this signature's /Contents hex string`, indeterminate('FORMAT_FAILURE'));
    return undefined;
  }
  const whole = b + c === pdf.length;
  report.pass('byte-range', `/ByteRange ${shown} signs everything but the /Contents string${whole ? ', to the end of the file' : `, up to byte ${b + c} of ${pdf.length}`}`);

  let cmsLength: number;
  try {
    cmsLength = readTlv(contents.bytes, 0, TAG.SEQUENCE).end;
  } catch (error) {
    report.fail('cms', `/Contents does not hold a DER CMS (${(error as Error).message})`, indeterminate('FORMAT_FAILURE'));
    return undefined;
  }
  const padding = contents.bytes.subarray(cmsLength);
  if (padding.every((byte) => byte === 0)) report.pass('contents-padding', `${padding.length} bytes of zero padding after the ${cmsLength}-byte CMS`);
  else report.fail('contents-padding', `the ${padding.length} bytes after the CMS inside /Contents are not all zero: unsigned bytes could carry content`, indeterminate('FORMAT_FAILURE'));
  return { cms: contents.bytes.subarray(0, cmsLength), signedBytes: concatBytes(pdf.subarray(0, a), pdf.subarray(b, b + c)), end: b + c };
};

const HEX_VALUES = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < 16; i++) table['0123456789abcdef'.charCodeAt(i)] = table['0123456789ABCDEF'.charCodeAt(i)] = i;
  return table;
})();

/** Whether pdf[start..end) is exactly the hex digits of `bytes` (no whitespace, nothing else). */
const gapIsHexOf = (pdf: Uint8Array, start: number, end: number, bytes: Uint8Array): boolean => {
  if (end - start !== bytes.length * 2) return false;
  for (let i = 0; i < bytes.length; i++) {
    const high = HEX_VALUES[pdf[start + 2 * i]!]!;
    const low = HEX_VALUES[pdf[start + 2 * i + 1]!]!;
    if (high < 0 || low < 0 || ((high << 4) | low) !== bytes[i]) return false;
  }
  return true;
};

const findSigner = (signerInfo: SignerInfo, certificates: readonly KnownCertificate[]): KnownCertificate | undefined => {
  const { sid } = signerInfo;
  return certificates.find((c) => ('issuer' in sid
    ? bytesEqual(c.issuer, sid.issuer) && bytesEqual(c.serial, sid.serial)
    : c.extensions.some((e) => e.id === OIDS.subjectKeyIdentifier && e.value.length >= 2 && bytesEqual(e.value.subarray(2), sid.subjectKeyIdentifier))));
};

/** Verifies one signature dictionary of the file. */
export const verifySignature = async (input: SignatureInput, context: VerificationContext): Promise<SignatureOutcome> => {
  const { pdf, signature, dssCertificates, crls, furthestSignedEnd } = input;
  const { dict } = signature;
  const report = new CheckReport();
  const claimedText = textOf(dict.get('M'));
  const claimedTime = pdfDateOf(claimedText);
  const range = byteRangeOf(dict);
  const coversWholeDocument = range !== undefined && range[2] + range[3] === pdf.length;
  const base = {
    ...(signature.field === undefined ? {} : { field: signature.field }),
    ...(claimedText === undefined ? {} : { claimedSigningTime: claimedTime?.toISOString() ?? claimedText }),
    coversWholeDocument,
  };
  const outcome = (extra: Partial<SignatureVerdict>, passed: string, bestTime = context.validationTime, timeIsProven = false, certificates: readonly KnownCertificate[] = []): SignatureOutcome => ({
    verdict: { ...base, ...extra, conclusion: report.conclusion(passed), checks: report.checks },
    bestTime,
    timeIsProven,
    ...(claimedTime ? { claimedTime } : {}),
    certificates,
  });

  const subFilter = dict.name('SubFilter');
  if (subFilter === undefined || !SUPPORTED_SUB_FILTERS.has(subFilter)) {
    report.fail('sub-filter', `/SubFilter ${subFilter ?? '(none)'} is not verified here; expected ETSI.CAdES.detached or adbe.pkcs7.detached${dict.name('Type') === 'DocTimeStamp' ? ' (document timestamps are not checked)' : ''}`, indeterminate('FORMAT_FAILURE'));
    return outcome({}, '');
  }
  report.pass('sub-filter', `/SubFilter ${subFilter}`);

  const located = locate(pdf, dict, report);
  if (!located) return outcome({}, '');

  let signedData: SignedData;
  try {
    signedData = parseSignedData(located.cms);
  } catch (error) {
    report.fail('cms', `the CMS is malformed (${(error as Error).message})`, indeterminate('FORMAT_FAILURE'));
    return outcome({}, '');
  }
  const signerInfo = signedData.signerInfos[0];
  if (signedData.signerInfos.length !== 1 || !signerInfo || signedData.encapsulatedContentType !== OIDS.data || signedData.content) {
    report.fail('cms', `the CMS has ${signedData.signerInfos.length} SignerInfos and content type ${signedData.encapsulatedContentType}${signedData.content ? ' with encapsulated content' : ''}; expected one signer over detached id-data`, indeterminate('FORMAT_FAILURE'));
    return outcome({}, '');
  }
  report.pass('cms', `CMS SignedData, detached, one signer, ${signedData.certificates.length} certificates`);

  const { certificates: cmsCertificates, problems } = await context.certificates(signedData.certificates, 'CMS');
  const signer = findSigner(signerInfo, cmsCertificates);
  if (!signer) {
    report.fail('signing-certificate', `the signer's certificate is not among the CMS certificates${problems.length ? ` (${problems.join('; ')})` : ''}`, indeterminate('NO_SIGNING_CERTIFICATE_FOUND'));
  } else {
    report.pass('signing-certificate', `signer '${commonNameOf(signer.subject)}' (serial ${signer.serialHex}) found in the CMS`);
  }

  // Signed attributes: content-type id-data and one message-digest (RFC 5652 §11, required by CAdES).
  const contentType = singleValue(signerInfo.signed, OIDS.contentType);
  const messageDigest = singleValue(signerInfo.signed, OIDS.messageDigest);
  let digestClaimed: Uint8Array | undefined;
  try {
    if (contentType && messageDigest && readOidOf(contentType) === OIDS.data) digestClaimed = octetsOf(messageDigest);
  } catch {
    digestClaimed = undefined;
  }
  if (!signerInfo.signedAttributes || !digestClaimed) {
    report.fail('signed-attributes', 'the signed attributes lack content-type id-data or a single message-digest', indeterminate('FORMAT_FAILURE'));
  } else if (signerInfo.digestAlgorithm !== OIDS.sha256) {
    report.fail('message-digest', `digest algorithm ${signerInfo.digestAlgorithm} is not supported here; expected SHA-256`, indeterminate('CRYPTO_CONSTRAINTS_FAILURE_NO_POE'));
  } else {
    report.pass('signed-attributes', 'content-type id-data and message-digest present');
    if (bytesEqual(digestClaimed, await context.crypto.sha256(located.signedBytes))) {
      report.pass('message-digest', `SHA-256 of the ${located.signedBytes.length} signed bytes matches the signed message-digest`);
    } else {
      report.fail('message-digest', 'the signed bytes of the file do not hash to the message-digest the signature covers: the document was changed after signing', failed('HASH_FAILURE'));
    }
  }

  if (signer && signerInfo.signedAttributes) {
    const algorithm = signatureAlgorithmFor(signerInfo.signatureAlgorithm, signerInfo.digestAlgorithm);
    try {
      if (await context.crypto.verify(algorithm, signer.spki, signerInfo.signedAttributes, signerInfo.signature)) {
        report.pass('signature', `the ${algorithm} signature over the signed attributes verifies with the signer's key`);
      } else {
        report.fail('signature', "the signature value does not verify with the signer certificate's key", failed('SIG_CRYPTO_FAILURE'));
      }
    } catch (error) {
      if (!(error instanceof UnsupportedAlgorithmError)) throw error;
      report.fail('signature', `the signature could not be checked: ${error.message}`, indeterminate('CRYPTO_CONSTRAINTS_FAILURE_NO_POE'));
    }
    try {
      const binding = checkSigningCertificate(signerInfo.signed, signer);
      if (binding.ok) report.pass('signing-certificate-v2', binding.detail);
      else report.fail('signing-certificate-v2', binding.detail, binding.unsupported ? indeterminate('CRYPTO_CONSTRAINTS_FAILURE_NO_POE') : indeterminate('NO_SIGNING_CERTIFICATE_FOUND'));
    } catch (error) {
      report.fail('signing-certificate-v2', `the signing-certificate attribute is malformed (${(error as Error).message})`, indeterminate('NO_SIGNING_CERTIFICATE_FOUND'));
    }
  }

  const pool = [...cmsCertificates, ...dssCertificates.filter((d) => !cmsCertificates.some((c) => c.sha256 === d.sha256))];
  // Timestamp: the earliest valid one is the best proof of existence.
  let genTime: Date | undefined;
  let laterThanValidation: Date | undefined;
  const tokens = signerInfo.unsigned.get(OIDS.signatureTimeStampToken) ?? [];
  const timestampDetails: string[] = [];
  for (const token of tokens.slice(0, 4)) {
    const result = await verifyTimestampToken(token, signerInfo.signature, pool, crls, context);
    timestampDetails.push(result.detail);
    if (!result.ok || !result.genTime) continue;
    // A proof of existence must precede the time the signature is judged at (ETSI EN 319 102-1
    // §5.6.2.1): asked about 2020, a 2026 timestamp proves nothing, and the certificates are judged at 2020.
    // A few minutes of clock difference between the TSA and the auditor's machine are tolerated.
    if (result.genTime.getTime() > context.validationTime.getTime() + CLOCK_SKEW_MS) {
      laterThanValidation = result.genTime;
      continue;
    }
    if (!genTime || result.genTime < genTime) genTime = result.genTime;
  }
  if (genTime) report.pass('timestamp', timestampDetails.join('; '));
  else if (laterThanValidation) report.fail('timestamp', `the signature timestamp (${laterThanValidation.toISOString()}) is later than the validation time ${context.validationTime.toISOString()}: the signature is judged at the validation time`);
  else if (tokens.length === 0) report.fail('timestamp', 'no signature timestamp: the signature is judged at the validation time');
  else report.fail('timestamp', `the signature timestamp is not valid (${timestampDetails.join('; ')}): the signature is judged at the validation time`);
  const bestTime = genTime ?? context.validationTime;
  if (genTime && claimedTime) {
    if (claimedTime.getTime() > genTime.getTime()) report.fail('claimed-signing-time', `/M ${claimedTime.toISOString()} claims a time after the timestamp ${genTime.toISOString()}`);
    else report.pass('claimed-signing-time', `/M ${claimedTime.toISOString()} precedes the timestamp by ${Math.round((genTime.getTime() - claimedTime.getTime()) / 1000)} s`);
  }

  let chain: readonly KnownCertificate[] | undefined;
  if (signer) {
    chain = await validateCertificatePath({
      leaf: signer, pool, crls, time: bestTime, timeIsProven: genTime !== undefined, ...(claimedTime ? { claimedTime } : {}), purpose: 'signing', revocationRequired: true,
    }, report, context);
  }

  // After the path: an untrusted root also makes the TSA untrusted, and the root is the news.
  if (!genTime && !laterThanValidation && tokens.length > 0) report.bear(indeterminate('SIG_CONSTRAINTS_FAILURE'), `the signature timestamp is not valid: ${timestampDetails.join('; ')}`);

  if (located.end === pdf.length) report.pass('modifications', 'the signed ranges reach the end of the file: total document signed');
  else if (located.end < furthestSignedEnd) report.pass('modifications', `the ${pdf.length - located.end} bytes after this signed revision are covered by a later signature`);
  else {
    report.fail('modifications', `${pdf.length - located.end} bytes after the signed ranges are not covered by any signature (not total document signed): the file was changed after signing`, indeterminate('SIG_CONSTRAINTS_FAILURE'));
  }

  const signerName = signer ? commonNameOf(signer.subject) : 'the signer';
  const passed = `signature by '${signerName}' is valid${genTime ? `, timestamped ${genTime.toISOString()}` : ''}, with a trusted path and no revocation`;
  return outcome({
    ...(genTime ? { timestampTime: genTime.toISOString() } : {}),
    ...(signer ? { signer: summarize(signer, signer.sha256) } : {}),
    ...(chain ? { chain: chain.map((c) => summarize(c, c.sha256)) } : {}),
  }, passed, bestTime, genTime !== undefined, pool);
};

const readOidOf = (encoded: Uint8Array): string => readOid(encoded, readWhole(encoded, TAG.OID));
const octetsOf = (encoded: Uint8Array): Uint8Array => contentOf(encoded, readWhole(encoded, TAG.OCTET_STRING));
