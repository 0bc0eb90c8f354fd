/**
 * Checks one checkpoint offline: its digest is that of its statement, it is signed by the platform
 * seal (a CA certificate with digitalSignature, chaining to the trusted root — an agency's seal or
 * the TSA cannot pass for it), and an RFC 3161 timestamp stamps the same digest.
 *
 * The certificate and timestamp checks are the offline PDF verifier's (shared/pdf/verify): the TSA
 * found by the token's signer id and bound by signing-certificate-v2, path constraints (cA,
 * keyCertSign, pathLen) and validity at the timestamp's genTime. An export carries no CRLs, so
 * revocation is only noted, as the verifier does for a TSA. Whatever an export holds, the answer
 * is a CheckpointCheck, never an exception: the caller reports a failure as a forged checkpoint.
 */
import { bytesEqual, toHex } from '../pdf/bytes.ts';
import { parseSignedData } from '../pdf/verify/cms.ts';
import { nodeVerificationCrypto } from '../pdf/verify/node-crypto.ts';
import { OIDS } from '../pdf/verify/oids.ts';
import { validateCertificatePath } from '../pdf/verify/path-validation.ts';
import { CheckReport } from '../pdf/verify/report.ts';
import { readTstInfo, verifyTimestampToken } from '../pdf/verify/timestamp.ts';
import { VerificationContext, VerifierCache, type KnownCertificate } from '../pdf/verify/verification-context.ts';
import { commonNameOf, KEY_USAGE } from '../pdf/verify/x509.ts';
import { checkpointDigest, checkpointMessage, type CheckpointStatement } from './chain.ts';

/** A checkpoint with its certificates resolved to DER. */
export interface CheckpointEvidence extends CheckpointStatement {
  digest: string;
  signature: Uint8Array;
  certificate: Uint8Array;
  timestampToken: Uint8Array;
}

export type CheckpointCheck = { ok: true; signedBy: string; timestampTime: string; tsa: string } | { ok: false; detail: string };

// An export's checkpoints share one chain: its certificates are parsed, and its signatures checked, once.
// The cache is content-addressed (see verification-context.ts), so sharing it across exports is safe.
const cache = new VerifierCache();

const refused = (detail: string): CheckpointCheck => ({ ok: false, detail });

// The verifier copies with Uint8Array#slice before patching bytes (cms.ts: the signed attributes' tag); on a Node
// Buffer, slice is a view, so a Buffer handed in would be altered under us. It gets copies of plain Uint8Arrays.
const plain = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);

/** The digest a token's TSTInfo stamps, or undefined when the token is unreadable (verifyTimestampToken then says why). */
const stampedDigest = (token: Uint8Array): Uint8Array | undefined => {
  try {
    const { content } = parseSignedData(token);
    return content ? readTstInfo(content).imprint : undefined;
  } catch {
    return undefined;
  }
};

const check = async (checkpoint: CheckpointEvidence, pool: readonly Uint8Array[], root: Uint8Array): Promise<CheckpointCheck> => {
  const statement = { seq: checkpoint.seq, hash: checkpoint.hash, at: checkpoint.at };
  const digest = checkpointDigest(statement);
  if (toHex(digest) !== checkpoint.digest) return refused(`its digest ${checkpoint.digest} is not that of its statement (seq ${statement.seq}, hash ${statement.hash}, at ${statement.at})`);

  const validationTime = new Date();
  let anchor: KnownCertificate;
  try {
    anchor = await new VerificationContext(nodeVerificationCrypto, cache, [], validationTime).certificate(root);
  } catch (error) {
    return refused(`the trusted root is not a certificate (${(error as Error).message})`);
  }
  const context = new VerificationContext(nodeVerificationCrypto, cache, [anchor], validationTime);
  let signer: KnownCertificate;
  try {
    signer = await context.certificate(checkpoint.certificate);
  } catch (error) {
    return refused(`its signer certificate cannot be read (${(error as Error).message})`);
  }
  const signerName = commonNameOf(signer.subject);

  // The platform signs SHA-256(message) with ECDSA P-256 (signer.ts), so verifying over the message checks that signature;
  // a key of another type (Ed25519, RSA …) simply does not verify.
  const message = new TextEncoder().encode(checkpointMessage(statement));
  if (!(await context.crypto.verify(OIDS.ecdsaWithSha256, signer.spki, message, checkpoint.signature))) {
    return refused(`its signature does not verify with the key of '${signerName}' (expected ECDSA P-256 with SHA-256)`);
  }
  if (!signer.isCa || !signer.keyUsage?.has(KEY_USAGE.digitalSignature)) {
    return refused(`it is signed by '${signerName}', which is not the platform seal (a CA certificate allowed to sign)`);
  }

  const stamped = stampedDigest(checkpoint.timestampToken);
  if (stamped && !bytesEqual(stamped, digest)) return refused(`its timestamp stamps ${toHex(stamped)}; expected the checkpoint digest ${toHex(digest)}`);
  const { certificates } = await context.certificates(pool, 'export header');
  // The token's imprint is SHA-256 of the message: the verifier hashes what it is given and compares.
  const timestamp = await verifyTimestampToken(checkpoint.timestampToken, message, certificates, [], context);
  if (!timestamp.ok || !timestamp.genTime || !timestamp.tsa) return refused(`its timestamp: ${timestamp.detail}`);

  const report = new CheckReport();
  await validateCertificatePath({
    leaf: signer, pool: certificates, crls: [], time: timestamp.genTime, timeIsProven: true, purpose: 'signing', revocationRequired: false,
  }, report, context);
  if (report.failing) return refused(`its signer '${signerName}': ${report.checks.filter((c) => !c.ok).map((c) => c.detail).join('; ')}`);
  return { ok: true, signedBy: signerName, timestampTime: timestamp.genTime.toISOString(), tsa: commonNameOf(timestamp.tsa.subject) };
};

/** Checks a checkpoint's digest, signature, signer and timestamp against `root`, with `pool` as intermediates; never rejects. */
export async function checkCheckpoint(checkpoint: CheckpointEvidence, pool: readonly Uint8Array[], root: Uint8Array): Promise<CheckpointCheck> {
  try {
    const evidence = { ...checkpoint, signature: plain(checkpoint.signature), certificate: plain(checkpoint.certificate), timestampToken: plain(checkpoint.timestampToken) };
    return await check(evidence, pool.map(plain), plain(root));
  } catch (error) {
    // The verifier's pieces turn what they expect into outcomes; anything else a hostile export provokes lands here.
    return refused(`it could not be checked (${(error as Error)?.message ?? String(error)})`);
  }
}
