/**
 * The offline verifier against real signed results: the platform's hierarchy, renderer, signer and
 * TSA make the files (tests/support/signed-pdfs.ts); each test changes one thing and expects the
 * ETSI EN 319 102-1 indication an auditor would get. pdfsig (poppler + NSS) is the independent
 * witness for what "the whole document is signed" means.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPdfVerifier, readTrustAnchors, type PdfVerdict, type PdfVerifier } from '../../../../shared/pdf/verify/index.ts';
import { nodeVerificationCrypto } from '../../../../shared/pdf/verify/node-crypto.ts';
import { parseSignedData } from '../../../../shared/pdf/verify/cms.ts';
import { createSignedPdfFixture, sampleEvidence, type SignedPdfFixture } from '../../../support/signed-pdfs.ts';
import { givenWorkDir, run } from '../../seal/pki-fixtures.ts';

// --- factories -------------------------------------------------------------------------------

const HOUR = 3_600_000;
const YEAR = 365 * 24 * HOUR;
let fixture: SignedPdfFixture;
let verifier: PdfVerifier;
let valid: Uint8Array;

const at = (offsetMs: number) => new Date(fixture.start.getTime() + offsetMs);
const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** The /ByteRange [0 a b c] of the (only) signature. */
const byteRangeOf = (pdf: Uint8Array): [number, number, number, number] => {
  const match = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(latin1(pdf))!;
  return [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4])];
};

/** The DER CMS inside /Contents, and where its hex starts in the file. */
const cmsOf = (pdf: Uint8Array): { cms: Buffer; hexStart: number } => {
  const [, a, b] = byteRangeOf(pdf);
  const padded = Buffer.from(latin1(pdf.subarray(a + 1, b - 1)), 'hex');
  const length = padded[1]! & 0x80 ? 2 + (padded[1]! & 0x7f) + padded.readUIntBE(2, padded[1]! & 0x7f) : 2 + padded[1]!;
  return { cms: padded.subarray(0, length), hexStart: a + 1 };
};

/** A copy of `pdf` with the CMS bytes at `offset` (inside the CMS) replaced by `change(byte)`. */
const withCmsByte = (pdf: Uint8Array, offset: number, change: (byte: number) => number): Uint8Array => {
  const { cms, hexStart } = cmsOf(pdf);
  const out = new Uint8Array(pdf);
  const hex = change(cms[offset]!).toString(16).padStart(2, '0');
  out.set(Buffer.from(hex, 'latin1'), hexStart + offset * 2);
  return out;
};

const offsetIn = (haystack: Uint8Array, needle: Uint8Array): number => Buffer.from(haystack).indexOf(Buffer.from(needle));

/** Appends an incremental update that replaces the document information dictionary. */
const withIncrementalUpdate = (pdf: Uint8Array): Uint8Array => {
  const text = latin1(pdf);
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1]);
  const size = Number(/\/Size (\d+)/.exec(text)![1]);
  const rootRef = /\/Root (\d+ \d+ R)/.exec(text)![1];
  const objectOffset = pdf.length + 1;
  const object = `${size} 0 obj\n<< /Title (changed after signing) >>\nendobj\n`;
  const xrefOffset = objectOffset + object.length;
  const update = `\n${object}xref\n${size} 1\n${String(objectOffset).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size + 1} /Root ${rootRef} /Info ${size} 0 R /Prev ${startxref} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return new Uint8Array(Buffer.concat([pdf, Buffer.from(update, 'latin1')]));
};

const signatureCheck = (verdict: PdfVerdict, name: string) => verdict.signatures[0]?.checks.find((c) => c.name === name);

beforeAll(async () => {
  fixture = await createSignedPdfFixture();
  verifier = createPdfVerifier({ trustAnchors: readTrustAnchors(fixture.rootPem), crypto: nodeVerificationCrypto });
  valid = await fixture.signPdf({ applicantSeal: await fixture.issueApplicantSeal() });
}, 60_000);

// --- specification ---------------------------------------------------------------------------

describe('a valid result', () => {
  it('passes, naming the agency seal, its path to the root and the timestamp', async () => {
    const verdict = await verifier.verify(valid);

    expect(verdict.conclusion.indication).toBe('TOTAL_PASSED');
    expect(verdict.signatures).toHaveLength(1);
    const [signature] = verdict.signatures;
    expect(signature!.conclusion.indication).toBe('TOTAL_PASSED');
    expect(signature!.field).toBe('Seal');
    expect(signature!.coversWholeDocument).toBe(true);
    expect(signature!.signer!.sha256).toBe(sha256Hex(fixture.agencySealCertificate()));
    expect(signature!.chain!.at(-1)!.sha256).toBe(sha256Hex(fixture.rootDer));
    expect(signature!.chain).toHaveLength(3);
    expect(new Date(signature!.timestampTime!).getTime() - new Date(signature!.claimedSigningTime!).getTime()).toBe(1000);
    expect(signature!.checks.every((c) => c.ok)).toBe(true);
    expect(verdict.sha256).toBe(sha256Hex(valid));
    expect(verdict.modificationsAfterSigning).toBeUndefined();
  });

  it('lists the evidence digests of the embedded evidence.json', async () => {
    const verdict = await verifier.verify(valid);

    expect(verdict.evidence).toEqual(sampleEvidence());
    expect(verdict.checks?.find((c) => c.name === 'evidence')?.ok).toBe(true);
  });

  it('passes the applicant seal and names the petition and application digest it certifies', async () => {
    const seal = await fixture.issueApplicantSeal({ petitionId: 'PT-2026-0000-000777' });
    const pdf = await fixture.signPdf({ applicantSeal: seal });

    const verdict = await verifier.verify(pdf);

    expect(verdict.applicantSeal?.conclusion.indication).toBe('TOTAL_PASSED');
    expect(verdict.applicantSeal?.petitionId).toBe('PT-2026-0000-000777');
    expect(verdict.applicantSeal?.applicationDigest).toBe(`sha256:${sha256Hex(seal.application)}`);
    expect(verdict.applicantSeal?.certificate?.sha256).toBe(sha256Hex(seal.certificate));
  });

  it('reports no applicant seal for a result that carries none', async () => {
    const verdict = await verifier.verify(await fixture.signPdf());

    expect(verdict.conclusion.indication).toBe('TOTAL_PASSED');
    expect(verdict.applicantSeal).toBeUndefined();
  });

  it('agrees with openssl on the signer certificate serial number', async () => {
    const work = await givenWorkDir();
    const result = await run('openssl', ['x509', '-noout', '-serial', '-inform', 'DER', '-in', await work.raw('seal.der', fixture.agencySealCertificate())]);

    const verdict = await verifier.verify(valid);

    expect(result.stdout.trim()).toBe(`serial=${verdict.signatures[0]!.signer!.serialNumber}`);
  });
});

describe('a changed result', () => {
  it('fails with HASH_FAILURE when a byte of the signed range is flipped', async () => {
    const pdf = new Uint8Array(valid);
    const streamData = offsetIn(pdf, Buffer.from('stream\n')) + 7;
    expect(streamData).toBeLessThan(byteRangeOf(pdf)[1]);
    pdf[streamData + 5] = pdf[streamData + 5]! ^ 0x01;

    const verdict = await verifier.verify(pdf);

    expect(verdict.conclusion).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });

  it('cannot change evidence.json without HASH_FAILURE, even when the change reads back as a valid list', async () => {
    // Rewrite the compressed evidence.json in place with a forged digest, keeping every offset.
    const pdf = new Uint8Array(valid);
    const original = JSON.stringify(sampleEvidence());
    const forgedDigest = 'f'.repeat(64);
    const forged = original.replace(sampleEvidence()[0]!.sha256, forgedDigest);
    const compressed = deflateSync(forged, { level: 9 });
    const text = latin1(pdf);
    const streams = text.matchAll(/\/Params\s*<<\s*\/Size (\d+)\s*>>\s*\/Filter \/FlateDecode\s*\/Length (\d+)\s*>>\s*stream\n/g);
    const evidenceStream = [...streams].find((m) => Number(m[1]) === Buffer.byteLength(original))!;
    const length = Number(evidenceStream[2]);
    expect(compressed.length).toBeLessThanOrEqual(length);
    const dataStart = evidenceStream.index + evidenceStream[0].length;
    pdf.fill(0, dataStart, dataStart + length);
    pdf.set(compressed, dataStart);

    const verdict = await verifier.verify(pdf);

    expect(verdict.evidence[0]?.sha256).toBe(forgedDigest);
    expect(verdict.conclusion).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });

  it('fails with SIG_CRYPTO_FAILURE when the signature value is altered', async () => {
    const { cms } = cmsOf(valid);
    const signatureValue = parseSignedData(new Uint8Array(cms)).signerInfos[0]!.signature;
    // The last byte of s: the DER stays well-formed, the value changes.
    const lastByte = offsetIn(cms, signatureValue) + signatureValue.length - 1;

    const verdict = await verifier.verify(withCmsByte(valid, lastByte, (b) => b ^ 0x01));

    expect(verdict.conclusion).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
    expect(signatureCheck(verdict, 'timestamp')?.ok).toBe(false);
  });

  it('is INDETERMINATE FORMAT_FAILURE when the padding after the CMS is not zero', async () => {
    const { cms } = cmsOf(valid);

    const verdict = await verifier.verify(withCmsByte(valid, cms.length + 10, () => 0x41));

    expect(verdict.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'FORMAT_FAILURE' });
    expect(signatureCheck(verdict, 'contents-padding')?.ok).toBe(false);
  });

  it('does not pass an incremental update appended after signing, and pdfsig agrees the document is not totally signed', async () => {
    const pdf = withIncrementalUpdate(valid);
    const work = await givenWorkDir();
    const pdfsig = await run('pdfsig', [await work.raw('updated.pdf', pdf)]);

    const verdict = await verifier.verify(pdf);

    expect(pdfsig.stdout).toContain('Not total document signed');
    expect(verdict.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIG_CONSTRAINTS_FAILURE' });
    expect(verdict.signatures[0]!.coversWholeDocument).toBe(false);
    expect(verdict.modificationsAfterSigning).toEqual({ bytes: pdf.length - valid.length, revisions: 1 });
    expect(signatureCheck(verdict, 'message-digest')?.ok).toBe(true);
  });

  it('says "total document signed" exactly when pdfsig does', async () => {
    const work = await givenWorkDir();
    const pdfsig = await run('pdfsig', [await work.raw('valid.pdf', valid)]);

    const verdict = await verifier.verify(valid);

    expect(pdfsig.stdout).toContain('Total document signed');
    expect(verdict.signatures[0]!.coversWholeDocument).toBe(true);
  });
});

describe('trust', () => {
  it('finds no chain when the auditor trusts another root of the same name', async () => {
    const other = await createSignedPdfFixture();
    const strangers = createPdfVerifier({ trustAnchors: [other.rootDer], crypto: nodeVerificationCrypto });

    const verdict = await strangers.verify(valid);

    expect(verdict.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
    expect(signatureCheck(verdict, 'signature')?.ok).toBe(true);
  });

  it('does not carry one file’s trusted chain over to another file signed under a different root', async () => {
    const other = await createSignedPdfFixture();
    await verifier.verify(valid);

    const verdict = await verifier.verify(await other.signPdf());

    expect(verdict.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
  });
});

describe('time and revocation', () => {
  it('fails with REVOKED a result sealed after the agency seal was revoked', async () => {
    const local = await createSignedPdfFixture();
    await local.revokeAgencySeal(new Date(local.start.getTime() + HOUR / 2));
    const pdf = await local.signPdf({ signingTime: new Date(local.start.getTime() + HOUR) });
    const localVerifier = createPdfVerifier({ trustAnchors: [local.rootDer], crypto: nodeVerificationCrypto });

    const verdict = await localVerifier.verify(pdf);

    expect(verdict.conclusion).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'REVOKED' });
  });

  it('passes a result timestamped before the revocation its embedded CRL lists, and reports the revocation', async () => {
    const local = await createSignedPdfFixture();
    await local.revokeAgencySeal(new Date(local.start.getTime() + 2 * HOUR));
    const pdf = await local.signPdf({ signingTime: new Date(local.start.getTime() + HOUR) });
    const localVerifier = createPdfVerifier({ trustAnchors: [local.rootDer], crypto: nodeVerificationCrypto });

    const verdict = await localVerifier.verify(pdf);

    expect(verdict.conclusion.indication).toBe('TOTAL_PASSED');
    expect(signatureCheck(verdict, 'revocation')?.detail).toMatch(/revoked .*after/);
  });

  it('fails the applicant seal with REVOKED when it was revoked before the result was sealed', async () => {
    const local = await createSignedPdfFixture();
    const seal = await local.issueApplicantSeal();
    await local.revokeApplicantSeal(seal, new Date(local.start.getTime() + HOUR / 2));
    const pdf = await local.signPdf({ applicantSeal: seal, signingTime: new Date(local.start.getTime() + HOUR) });
    const localVerifier = createPdfVerifier({ trustAnchors: [local.rootDer], crypto: nodeVerificationCrypto });

    const verdict = await localVerifier.verify(pdf);

    expect(verdict.signatures[0]!.conclusion.indication).toBe('TOTAL_PASSED');
    expect(verdict.applicantSeal?.conclusion).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'REVOKED' });
    expect(verdict.conclusion).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'REVOKED' });
  });

  it('passes years later, after the seal certificates expired, because the timestamp proves the signature existed in time', async () => {
    const verdict = await verifier.verify(valid, { validationTime: at(4 * YEAR) });

    expect(verdict.conclusion.indication).toBe('TOTAL_PASSED');
    expect(verdict.validationTime).toBe(at(4 * YEAR).toISOString());
    expect(signatureCheck(verdict, 'certificate-validity')?.detail).toContain('expired');
  });

  it('does not pass when asked about a time before the signature existed: a later timestamp is no proof then', async () => {
    const before = await verifier.verify(valid, { validationTime: at(-YEAR) });

    expect(before.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NOT_YET_VALID' });
    expect(signatureCheck(before, 'timestamp')).toMatchObject({ ok: false, detail: expect.stringContaining('later than the validation time') });
  });

  it('does not pass a broken timestamp, and years later finds the seal expired at the validation time it then falls back to', async () => {
    const { cms } = cmsOf(valid);
    const signerInfo = parseSignedData(new Uint8Array(cms)).signerInfos[0]!;
    const token = signerInfo.unsigned.get('1.2.840.113549.1.9.16.2.14')![0]!;
    const tokenSignature = parseSignedData(token).signerInfos[0]!.signature;
    const broken = withCmsByte(valid, offsetIn(cms, tokenSignature) + tokenSignature.length - 1, (b) => b ^ 0x01);

    const now = await verifier.verify(broken);
    const later = await verifier.verify(broken, { validationTime: at(4 * YEAR) });

    expect(now.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIG_CONSTRAINTS_FAILURE' });
    expect(signatureCheck(now, 'timestamp')?.ok).toBe(false);
    expect(signatureCheck(now, 'certificate-validity')?.ok).toBe(true);
    expect(later.conclusion.indication).toBe('INDETERMINATE');
    expect(signatureCheck(later, 'certificate-validity')).toMatchObject({ ok: false, detail: expect.stringContaining('expired') });
  });
});

describe('unreadable and unsigned input', () => {
  it.each([
    ['empty', new Uint8Array(0)],
    ['garbage', new Uint8Array(createHash('sha512').update('garbage').digest())],
    ['a PDF header and nothing else', new Uint8Array(Buffer.from('%PDF-1.7\n%%EOF\n'))],
  ])('is INDETERMINATE FORMAT_FAILURE for %s', async (_, bytes) => {
    const verdict = await verifier.verify(bytes);

    expect(verdict.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'FORMAT_FAILURE' });
    expect(verdict.bytes).toBe(bytes.length);
  });

  it('is INDETERMINATE FORMAT_FAILURE for a file cut short inside the signed range', async () => {
    const verdict = await verifier.verify(valid.subarray(0, valid.length - 100));

    expect(verdict.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'FORMAT_FAILURE' });
  });

  it('never passes a file cut in half', async () => {
    const verdict = await verifier.verify(valid.subarray(0, Math.floor(valid.length / 2)));

    expect(verdict.conclusion.indication).toBe('INDETERMINATE');
  });

  it('is SIGNED_DATA_NOT_FOUND for a PDF without a signature', async () => {
    const { PDFDocument } = await import('pdf-lib');
    const doc = await PDFDocument.create();
    doc.addPage();

    const verdict = await verifier.verify(await doc.save());

    expect(verdict.conclusion).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIGNED_DATA_NOT_FOUND' });
  });

  it('reports a malformed evidence.json as a failed check, lists nothing and still judges the signature', async () => {
    const pdf = await fixture.signPdf({ evidenceBytes: new TextEncoder().encode('[{"document": 42}]') });

    const verdict = await verifier.verify(pdf);

    expect(verdict.evidence).toEqual([]);
    expect(verdict.checks?.find((c) => c.name === 'evidence')).toMatchObject({ ok: false });
    expect(verdict.conclusion.indication).toBe('TOTAL_PASSED');
  });
});
