/**
 * Object identifiers of the hanbeon PKI. Standard ones are named as in their RFCs; the private ones
 * live under a UUID arc (2.25.<uuid as an integer>, ITU-T X.667), which anyone may use without
 * registering a Private Enterprise Number, and which cannot collide with another project's arc.
 */

/** hanbeon's private arc: 2.25 + the integer of UUID 933eea53-017f-4486-8088-d7146b64e33f. */
export const HANBEON_ARC = '2.25.195723190445859877995606585657826534207';

/** Policy under which the local TSA issues timestamps (TSTInfo.policy). */
export const OID_TSA_POLICY = `${HANBEON_ARC}.1.1`;
/** Private, non-critical extension of an applicant seal certificate: the identity-and-application binding. */
export const OID_APPLICANT_SEAL_BINDING = `${HANBEON_ARC}.2.1`;

export const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';

// Attribute types of names (RFC 5280 §4.1.2.4)
export const OID_COMMON_NAME = '2.5.4.3';
export const OID_ORGANIZATION = '2.5.4.10';
export const OID_ORGANIZATIONAL_UNIT = '2.5.4.11';
export const OID_COUNTRY = '2.5.4.6';

// Certificate and CRL extensions (RFC 5280 §4.2, §5.2)
export const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
export const OID_KEY_USAGE = '2.5.29.15';
export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_CRL_NUMBER = '2.5.29.20';
export const OID_CRL_REASON = '2.5.29.21';
export const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
export const OID_AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';
export const OID_EXT_KEY_USAGE = '2.5.29.37';

// Extended key usages
export const OID_KP_EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';
export const OID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
/** id-kp-documentSigning (RFC 9336). */
export const OID_KP_DOCUMENT_SIGNING = '1.3.6.1.5.5.7.3.36';

// CMS (RFC 5652), ESS (RFC 5035) and TSP (RFC 3161)
export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
export const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
export const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
export const OID_CT_TST_INFO = '1.2.840.113549.1.9.16.1.4';
