/**
 * Interop: our PAdES signatures judged by tools that share no code with us — pdfsig (poppler +
 * NSS), openssl cms / ts / verify, qpdf. The PKI and the timestamps come from the openssl CLI too.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFStream, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, readTlv, TAG } from '../../../shared/pdf/pades/der.ts';
import { extractSignature, preparePdfForSigning, signPreparedPdf, type SealAppearance, type SignedPdf } from '../../../shared/pdf/pades/index.ts';
import type { SealingIdentity, TimestampAuthority } from '../../../shared/seal/sealing-identity.ts';
import { createTestPki, runTool, type TestPki } from '../../support/test-pki.ts';

// --- factories -------------------------------------------------------------------------------

/** A one-page result document with text and a red square seal as a form XObject, made with pdf-lib alone. */
const givenRenderedDocument = async (): Promise<{ doc: PDFDocument; appearance: SealAppearance }> => {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText('Certificate of resident registration: issued', { x: 50, y: 780, size: 14, font });
  const seal = doc.context.stream('1 0 0 RG 4 w 2 2 76 76 re S 1 0 0 rg 20 20 40 40 re f', {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, 80, 80],
  });
  return { doc, appearance: { ref: doc.context.register(seal), rect: { x: 460, y: 60, width: 80, height: 80 }, pageIndex: 0 } };
};

const signedResult = async (identity: SealingIdentity, timestampAuthority: TimestampAuthority): Promise<SignedPdf> => {
  const { doc, appearance } = await givenRenderedDocument();
  const signingTime = new Date();
  const prepared = await preparePdfForSigning(doc, { identity, appearance, reason: '민원 처리 결과 직인', location: 'Sejong', signingTime });
  return signPreparedPdf(prepared, { identity, timestampAuthority, signingTime });
};

/** Signature value and timestamp token of the single SignerInfo, read from the CMS. */
const signerInfoParts = (cms: Uint8Array): { signatureValue: Uint8Array; timestampToken: Uint8Array } => {
  const contentInfo = readTlv(cms, 0, TAG.SEQUENCE);
  const signedData = children(cms, children(cms, contentInfo)[1]!)[0]!;
  const signerInfos = children(cms, signedData).at(-1)!;
  const signerInfo = children(cms, signerInfos)[0]!;
  const parts = children(cms, signerInfo);
  const signature = parts.find((p) => p.tag === TAG.OCTET_STRING)!;
  const unsigned = parts.find((p) => p.tag === 0xa1)!;
  const timestampAttribute = children(cms, unsigned)[0]!;
  const token = children(cms, children(cms, timestampAttribute)[1]!)[0]!;
  return { signatureValue: cms.slice(signature.contentStart, signature.end), timestampToken: cms.slice(token.start, token.end) };
};

let pki: TestPki;
let roguePki: TestPki;
let work: string;
let nssDir: string;
let signed: SignedPdf;

const file = async (name: string, bytes: Uint8Array): Promise<string> => {
  const path = join(work, name);
  await writeFile(path, bytes);
  return path;
};

/** pdfsig against an NSS database that trusts only our root; its report, whatever the exit code. */
const pdfsig = async (pdf: Uint8Array): Promise<string> => {
  const path = await file(`${createHash('sha256').update(pdf).digest('hex').slice(0, 12)}.pdf`, pdf);
  // Offline by construction: the test certificates carry no AIA or CRL distribution point, so NSS
  // has nowhere to go. (pdfsig 22.12's -no-ocsp switches NSS to a revocation policy under which
  // even a trusted chain reports "Unknown issue with Certificate", CRLs imported or not.)
  const { stdout } = await runTool('pdfsig', ['-nssdir', `sql:${nssDir}`, path]);
  return stdout;
};

const flipByte = (pdf: Uint8Array, offset: number, to: string): Uint8Array => {
  const copy = new Uint8Array(pdf);
  expect(copy[offset]).not.toBe(to.charCodeAt(0));
  copy[offset] = to.charCodeAt(0);
  return copy;
};

beforeAll(async () => {
  [pki, roguePki] = await Promise.all([createTestPki('Hanbeon Test'), createTestPki('Rogue')]);
  work = await mkdtemp(join(tmpdir(), 'hanbeon-pades-'));
  nssDir = join(work, 'nss');
  await runTool('mkdir', [nssDir]);
  await runTool('certutil', ['-N', '--empty-password', '-d', `sql:${nssDir}`]);
  await runTool('certutil', ['-A', '-n', 'root', '-t', 'C,C,C', '-i', pki.root.certificatePath, '-d', `sql:${nssDir}`]);
  signed = await signedResult(pki.identity, pki.opensslTsa);
});

afterAll(async () => {
  await Promise.all([pki?.remove(), roguePki?.remove(), work ? rm(work, { recursive: true, force: true }) : undefined]);
});

// --- pdfsig ----------------------------------------------------------------------------------

describe('pdfsig with only the root trusted', () => {
  it('reports the signature valid, the certificate trusted and the whole document signed', async () => {
    const report = await pdfsig(signed.pdf);

    expect(report).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report).toContain('Signing Hash Algorithm: SHA-256');
    expect(report).toContain('Signer Certificate Common Name: Ministry of the Interior and Safety Seal');
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
    expect(report).toContain('Total document signed');
    expect(report).not.toContain('Not total document signed');
    const { byteRange } = extractSignature(signed.pdf);
    expect(report).toContain(`Signed Ranges: [${byteRange[0]} - ${byteRange[1]}], [${byteRange[2]} - ${byteRange[2] + byteRange[3]}]`);
  });

  it('reports a digest mismatch when one byte inside the signed ranges changes', async () => {
    const text = Buffer.from(signed.pdf).toString('latin1');
    const mediaBoxWidth = text.indexOf('595', text.indexOf('/MediaBox'));
    expect(mediaBoxWidth).toBeLessThan(extractSignature(signed.pdf).byteRange[1]);

    const report = await pdfsig(flipByte(signed.pdf, mediaBoxWidth + 2, '6'));

    expect(report).toContain('Signature Validation: Digest Mismatch.');
    expect(report).not.toContain('Signature is Valid.');
  });

  it('keeps the signature valid but reports the document not entirely signed when a byte of the placeholder padding changes', async () => {
    // The padding lies between the ranges, so the digest is unchanged; poppler insists that
    // everything after the DER CMS be zeros before it calls the document totally signed.
    const { byteRange } = extractSignature(signed.pdf);
    const lastPaddingDigit = byteRange[2] - 2;

    const tampered = flipByte(signed.pdf, lastPaddingDigit, '1');
    const report = await pdfsig(tampered);

    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Not total document signed');
    expect(extractSignature(tampered).paddingIsZeros).toBe(false);
    expect(extractSignature(signed.pdf).paddingIsZeros).toBe(true);
  });

  it('does not trust a seal certificate issued under a different root', async () => {
    const rogue = await signedResult(roguePki.identity, roguePki.opensslTsa);

    const report = await pdfsig(rogue.pdf);

    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).not.toContain('Certificate is Trusted.');
    expect(report).toContain("Certificate Validation: Certificate issuer isn't Trusted.");
  });
});

// --- openssl ---------------------------------------------------------------------------------

describe('openssl', () => {
  it('verifies the CMS over the signed ranges with only the root as CA file', async () => {
    const { cms, signedContent } = extractSignature(signed.pdf);
    const [cmsPath, contentPath] = await Promise.all([file('sig.der', cms), file('content.bin', signedContent)]);

    // No -purpose needed: the default (smimesign) accepts a leaf with keyUsage digitalSignature/nonRepudiation and no EKU.
    const { stderr } = await runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cmsPath, '-content', contentPath, '-CAfile', pki.root.certificatePath, '-out', '/dev/null']);

    expect(stderr).toContain('CMS Verification successful');
  });

  it('refuses the CMS when the signed content differs by one byte', async () => {
    const { cms, signedContent } = extractSignature(signed.pdf);
    const altered = new Uint8Array(signedContent);
    altered[100] = altered[100]! ^ 0x01;
    const [cmsPath, contentPath] = await Promise.all([file('sig-2.der', cms), file('content-altered.bin', altered)]);

    await expect(
      runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cmsPath, '-content', contentPath, '-CAfile', pki.root.certificatePath, '-out', '/dev/null']),
    ).rejects.toThrow(/CMS Verification failure[\s\S]*content verify error/);
  });

  it('prints content-type, message-digest and signing-certificate-v2 as signed attributes and the timestamp as unsigned', async () => {
    const { cms } = extractSignature(signed.pdf);
    const cmsPath = await file('sig-print.der', cms);

    const { stdout } = await runTool('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cmsPath]);

    const signedAttributes = stdout.slice(stdout.indexOf('signedAttrs:'), stdout.indexOf('signatureAlgorithm:', stdout.indexOf('signedAttrs:')));
    const unsigned = stdout.slice(stdout.indexOf('unsignedAttrs:'));
    expect([...signedAttributes.matchAll(/object: (\S+) \(/g)].map((m) => m[1])).toEqual(['contentType', 'messageDigest', 'id-smime-aa-signingCertificateV2']);
    expect(signedAttributes).not.toContain('signingTime');
    expect(unsigned).toContain('object: id-smime-aa-timeStampToken (1.2.840.113549.1.9.16.2.14)');
    expect(stdout).toMatch(/eContentType: pkcs7-data[\s\S]*eContent: <ABSENT>/);
    // The ESSCertIDv2 certHash is the SHA-256 of the seal certificate.
    expect(stdout).toContain(createHash('sha256').update(pki.seal.certificate).digest('hex').toUpperCase());
  });

  it('verifies the embedded timestamp token against the SHA-256 of the signature value', async () => {
    const { signatureValue, timestampToken } = signerInfoParts(extractSignature(signed.pdf).cms);
    const tokenPath = await file('token.tst', timestampToken);
    const imprint = createHash('sha256').update(signatureValue).digest('hex');

    const { stdout } = await runTool('openssl', ['ts', '-verify', '-digest', imprint, '-in', tokenPath, '-token_in', '-CAfile', pki.root.certificatePath]);

    expect(stdout).toContain('Verification: OK');
    const otherImprint = createHash('sha256').update(signed.pdf).digest('hex');
    await expect(runTool('openssl', ['ts', '-verify', '-digest', otherImprint, '-in', tokenPath, '-token_in', '-CAfile', pki.root.certificatePath])).rejects.toThrow(/message imprint mismatch/);
  });
});

// --- B-LT: validation data in the document ----------------------------------------------------

describe('document security store', () => {
  const dssStreams = (doc: PDFDocument, key: 'Certs' | 'CRLs'): Buffer[] => {
    const dss = doc.catalog.lookup(PDFName.of('DSS'), PDFDict);
    const array = dss.lookup(PDFName.of(key), PDFArray);
    return array.asArray().map((ref) => Buffer.from(doc.context.lookup(ref, PDFStream).getContents()));
  };

  it('holds every certificate of the chain and every CRL, enough to validate the seal certificate offline with the root alone', async () => {
    const doc = await PDFDocument.load(signed.pdf);
    const certs = dssStreams(doc, 'Certs');
    const crls = dssStreams(doc, 'CRLs');
    expect(certs).toEqual([pki.seal.certificate, pki.sealCa.certificate, pki.root.certificate].map((c) => Buffer.from(c)));
    expect(crls).toEqual(pki.crls.map((c) => Buffer.from(c)));

    // openssl verify with revocation checking on every level, fed only from the DSS (plus the root as anchor).
    const pem = (der: Buffer, label: string) => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;
    const untrusted = await file('dss-certs.pem', Buffer.from(certs.slice(1).map((c) => pem(c, 'CERTIFICATE')).join('')));
    const crlFile = await file('dss-crls.pem', Buffer.from(crls.map((c) => pem(c, 'X509 CRL')).join('')));
    const leaf = await file('dss-leaf.pem', Buffer.from(pem(certs[0]!, 'CERTIFICATE')));
    const { stdout } = await runTool('openssl', ['verify', '-crl_check_all', '-CAfile', pki.root.certificatePath, '-untrusted', untrusted, '-CRLfile', crlFile, leaf]);
    expect(stdout.trim()).toBe(`${leaf}: OK`);
  });

  it('is inside the signed revision: the file has one revision and the signature reaches its last byte', async () => {
    const { byteRange } = extractSignature(signed.pdf);
    const text = Buffer.from(signed.pdf).toString('latin1');

    expect(byteRange[2] + byteRange[3]).toBe(signed.pdf.length);
    expect(text.match(/%%EOF/g)).toHaveLength(1);
    expect(text.indexOf('/Type /DSS')).toBeGreaterThan(-1);
  });

  it('passes qpdf --check as a well-formed PDF with the seal widget on the page', async () => {
    const path = await file('qpdf.pdf', signed.pdf);
    const { stdout } = await runTool('qpdf', ['--check', path]);
    expect(stdout).toContain('No syntax or stream encoding errors found');

    const doc = await PDFDocument.load(signed.pdf);
    const widget = doc.getPage(0).node.Annots()!.lookup(0, PDFDict);
    expect(widget.lookup(PDFName.of('FT'))).toEqual(PDFName.of('Sig'));
    expect(widget.lookup(PDFName.of('AP'), PDFDict).get(PDFName.of('N'))).toBeDefined();
  });
});
