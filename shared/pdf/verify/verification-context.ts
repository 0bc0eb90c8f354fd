/**
 * What one PdfVerifier keeps across files, and what one verification shares across its checks.
 *
 * The cache: a CLI run verifies a thousand results signed under the same chain, so the same
 * Seal CA, TSA and agency certificates and the same CRLs come back in every file. Each signature
 * check of a certificate or CRL by an issuer key is done once per verifier, keyed by the SHA-256
 * of the signed object and of the issuer's key — content addressing, so a changed byte is a new
 * key and can never reuse an old answer. Parsed certificates are kept by their hash for the same
 * reason. Both maps are bounded (cleared when full) for long-lived processes.
 */
import { toHex } from '../bytes.ts';
import { parseCrl, type Crl } from './crl.ts';
import type { VerificationCrypto } from './verification-crypto.ts';
import { parseCertificate, type Certificate } from './x509.ts';

const MAX_CACHE_ENTRIES = 50_000;

export interface KnownCertificate extends Certificate {
  /** Lower-case hex SHA-256 of the DER. */
  readonly sha256: string;
  /** Lower-case hex SHA-256 of the SubjectPublicKeyInfo. */
  readonly spkiSha256: string;
}

export interface KnownCrl extends Crl {
  readonly sha256: string;
}

/** Something an issuer signs: a certificate or a CRL. */
interface SignedObject {
  readonly sha256: string;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
}

const boundedSet = <K, V>(map: Map<K, V>, key: K, value: V): V => {
  if (map.size >= MAX_CACHE_ENTRIES) map.clear();
  map.set(key, value);
  return value;
};

/** Per-verifier memory of signature checks and parsed certificates. */
export class VerifierCache {
  readonly signatures = new Map<string, boolean>();
  readonly certificates = new Map<string, KnownCertificate>();
}

export class VerificationContext {
  constructor(
    readonly crypto: VerificationCrypto,
    private readonly cache: VerifierCache,
    readonly anchors: readonly KnownCertificate[],
    readonly validationTime: Date,
  ) {}

  async sha256Hex(bytes: Uint8Array): Promise<string> {
    return toHex(await this.crypto.sha256(bytes));
  }

  /** Parses (or recalls) a certificate; throws MalformedDerError when it is not one. */
  async certificate(der: Uint8Array): Promise<KnownCertificate> {
    const sha256 = await this.sha256Hex(der);
    const known = this.cache.certificates.get(sha256);
    if (known) return known;
    const parsed = parseCertificate(der.slice());
    return boundedSet(this.cache.certificates, sha256, { ...parsed, sha256, spkiSha256: await this.sha256Hex(parsed.spki) });
  }

  /** The certificates among `ders` that parse, each once; the others as problems. */
  async certificates(ders: readonly Uint8Array[], source: string): Promise<{ certificates: KnownCertificate[]; problems: string[] }> {
    const certificates: KnownCertificate[] = [];
    const problems: string[] = [];
    for (const [index, der] of ders.entries()) {
      try {
        const certificate = await this.certificate(der);
        if (!certificates.some((c) => c.sha256 === certificate.sha256)) certificates.push(certificate);
      } catch (error) {
        problems.push(`${source} certificate #${index + 1} is not a certificate (${(error as Error).message})`);
      }
    }
    return { certificates, problems };
  }

  async crls(ders: readonly Uint8Array[]): Promise<{ crls: KnownCrl[]; problems: string[] }> {
    const crls: KnownCrl[] = [];
    const problems: string[] = [];
    for (const [index, der] of ders.entries()) {
      try {
        crls.push({ ...parseCrl(der.slice()), sha256: await this.sha256Hex(der) });
      } catch (error) {
        problems.push(`DSS CRL #${index + 1} is not a CRL (${(error as Error).message})`);
      }
    }
    return { crls, problems };
  }

  /** Whether `issuer`'s key signed `object` (cached); rejects with UnsupportedAlgorithmError as the crypto does. */
  async signedBy(object: SignedObject, issuer: KnownCertificate): Promise<boolean> {
    const key = `${object.sha256}|${issuer.spkiSha256}`;
    const known = this.cache.signatures.get(key);
    if (known !== undefined) return known;
    const valid = await this.crypto.verify(object.signatureAlgorithm, issuer.spki, object.tbs, object.signature);
    return boundedSet(this.cache.signatures, key, valid);
  }
}
