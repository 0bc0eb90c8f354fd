/**
 * Object identifiers the verifier reads. Kept here rather than imported from shared/seal/oids.ts so
 * that this folder has no path into Node-only modules (the browser bundle takes it whole).
 */
export const OIDS = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
  /** hanbeon's applicant seal binding (shared/seal/oids.ts OID_APPLICANT_SEAL_BINDING). */
  applicantSealBinding: '2.25.195723190445859877995606585657826534207.2.1',
} as const;

/** Signature algorithm from a key algorithm and a digest, for SignerInfos that name only the key type (RFC 5753 allows it). */
export const signatureAlgorithmFor = (signatureAlgorithm: string, digestAlgorithm: string): string => {
  const byDigest: Record<string, readonly [string, string]> = {
    [OIDS.sha256]: [OIDS.ecdsaWithSha256, OIDS.sha256WithRsa],
    [OIDS.sha384]: [OIDS.ecdsaWithSha384, OIDS.sha384WithRsa],
    [OIDS.sha512]: [OIDS.ecdsaWithSha512, OIDS.sha512WithRsa],
  };
  const pair = byDigest[digestAlgorithm];
  if (pair && signatureAlgorithm === OIDS.ecPublicKey) return pair[0];
  if (pair && signatureAlgorithm === OIDS.rsaEncryption) return pair[1];
  return signatureAlgorithm;
};
