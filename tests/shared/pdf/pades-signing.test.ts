/**
 * The contract of preparePdfForSigning / signPreparedPdf / extractSignature on their own terms:
 * what is written where, what is refused and why. Interop with other tools: pades-interop.test.ts.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFString, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, readTlv, TAG } from '../../../shared/pdf/pades/der.ts';
import {
  extractSignature,
  preparePdfForSigning,
  SealCertificateNotValidError,
  signPreparedPdf,
  SignaturePlaceholderError,
  SignatureTooLargeError,
  type PrepareOptions,
} from '../../../shared/pdf/pades/index.ts';
import type { TimestampAuthority } from '../../../shared/seal/sealing-identity.ts';
import { createTestPki, type TestPki } from '../../support/test-pki.ts';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => pki?.remove());

const givenDocument = async (): Promise<PDFDocument> => {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText('Result of petition 0001', { x: 50, y: 780, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc;
};

const givenPrepared = async (overrides: Partial<PrepareOptions> = {}): Promise<{ prepared: Uint8Array; signingTime: Date }> => {
  const signingTime = overrides.signingTime ?? new Date();
  const prepared = await preparePdfForSigning(await givenDocument(), { identity: pki.identity, reason: '민원 처리 결과 직인', signingTime, ...overrides });
  return { prepared, signingTime };
};

/** A TSA that records the digests it was asked to stamp. */
const recordingTsa = (inner: TimestampAuthority): TimestampAuthority & { digests: Uint8Array[] } => {
  const digests: Uint8Array[] = [];
  return { digests, timestamp: (digest) => (digests.push(digest), inner.timestamp(digest)) };
};

/** signedAttrs (as the DER SET that was signed) and the signature value of the single SignerInfo. */
const signerInfoOf = (cms: Uint8Array) => {
  const signedData = children(cms, children(cms, readTlv(cms, 0))[1]!)[0]!;
  const signerInfo = children(cms, children(cms, signedData).at(-1)!)[0]!;
  const parts = children(cms, signerInfo);
  const attrs = parts.find((p) => p.tag === 0xa0)!;
  const signedAttributes = cms.slice(attrs.start, attrs.end);
  signedAttributes[0] = TAG.SET;
  const signature = parts.find((p) => p.tag === TAG.OCTET_STRING)!;
  return { signedAttributes, signatureValue: cms.slice(signature.contentStart, signature.end) };
};

describe('preparePdfForSigning', () => {
  it('writes an ETSI.CAdES.detached signature dictionary with /M, the reason in UTF-16 and a zero-filled /Contents of the requested size', async () => {
    const signingTime = new Date('2026-11-24T03:00:00Z');

    const { prepared } = await givenPrepared({ signingTime, location: '세종', name: '행정안전부', contactInfo: 'seal@example.go.kr', placeholderBytes: 4096 });

    const doc = await PDFDocument.load(prepared);
    const acroForm = doc.catalog.lookup(PDFName.of('AcroForm'), PDFDict);
    expect(acroForm.get(PDFName.of('SigFlags'))).toEqual(PDFNumber.of(3));
    const field = acroForm.lookup(PDFName.of('Fields'), PDFArray).lookup(0, PDFDict);
    const signature = field.lookup(PDFName.of('V'), PDFDict);
    expect(signature.get(PDFName.of('Filter'))).toEqual(PDFName.of('Adobe.PPKLite'));
    expect(signature.get(PDFName.of('SubFilter'))).toEqual(PDFName.of('ETSI.CAdES.detached'));
    expect(signature.lookup(PDFName.of('M'), PDFString).decodeDate()).toEqual(signingTime);
    expect(signature.lookup(PDFName.of('Reason'), PDFHexString).decodeText()).toBe('민원 처리 결과 직인');
    expect(signature.lookup(PDFName.of('Location'), PDFHexString).decodeText()).toBe('세종');
    expect(signature.lookup(PDFName.of('Name'), PDFHexString).decodeText()).toBe('행정안전부');
    expect(signature.lookup(PDFName.of('ContactInfo'), PDFHexString).decodeText()).toBe('seal@example.go.kr');
    expect(signature.lookup(PDFName.of('Contents'), PDFHexString).asString()).toBe('0'.repeat(8192));
  });

  it('places the seal widget at the given rectangle with the given form XObject as its appearance', async () => {
    const doc = await givenDocument();
    doc.addPage();
    const seal = doc.context.register(doc.context.stream('1 0 0 rg 0 0 60 60 re f', { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 60, 60] }));

    const prepared = await preparePdfForSigning(doc, {
      identity: pki.identity,
      appearance: { ref: seal, rect: { x: 400, y: 40, width: 60, height: 60 }, pageIndex: 1 },
      reason: 'seal',
      signingTime: new Date(),
    });

    const loaded = await PDFDocument.load(prepared);
    expect(loaded.getPage(0).node.Annots()?.size() ?? 0).toBe(0);
    const widget = loaded.getPage(1).node.Annots()!.lookup(0, PDFDict);
    expect(widget.lookup(PDFName.of('Rect'), PDFArray).asArray().map((n) => (n as PDFNumber).asNumber())).toEqual([400, 40, 460, 100]);
    expect(widget.lookup(PDFName.of('AP'), PDFDict).get(PDFName.of('N'))).toEqual(seal);
    expect(widget.get(PDFName.of('P'))).toEqual(loaded.getPage(1).ref);
  });

  it('makes an invisible signature on the first page when no appearance is given', async () => {
    const { prepared } = await givenPrepared();

    const widget = (await PDFDocument.load(prepared)).getPage(0).node.Annots()!.lookup(0, PDFDict);
    expect(widget.lookup(PDFName.of('Rect'), PDFArray).asArray().map((n) => (n as PDFNumber).asNumber())).toEqual([0, 0, 0, 0]);
    expect(widget.get(PDFName.of('AP'))).toBeUndefined();
  });

  it('refuses a page index the document does not have', async () => {
    const doc = await givenDocument();
    const ref = doc.context.register(doc.context.stream('', { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 1, 1] }));

    await expect(
      preparePdfForSigning(doc, { identity: pki.identity, appearance: { ref, rect: { x: 0, y: 0, width: 1, height: 1 }, pageIndex: 3 }, reason: 'x', signingTime: new Date() }),
    ).rejects.toThrow('received pageIndex 3; expected 0..0');
  });
});

describe('signPreparedPdf', () => {
  it('changes only the ByteRange and the /Contents digits, and the ByteRange covers every byte but the /Contents string', async () => {
    const { prepared, signingTime } = await givenPrepared();

    const signed = await signPreparedPdf(prepared, { identity: pki.identity, timestampAuthority: pki.inProcessTsa, signingTime });

    expect(signed.pdf.length).toBe(prepared.length);
    const [, a, b, c] = extractSignature(signed.pdf).byteRange;
    expect(String.fromCharCode(signed.pdf[a]!, signed.pdf[b - 1]!)).toBe('<>');
    expect(b + c).toBe(signed.pdf.length);
    const text = Buffer.from(signed.pdf).toString('latin1');
    const byteRangeAt = text.indexOf('/ByteRange [');
    const changed = [...signed.pdf.keys()].filter((i) => signed.pdf[i] !== prepared[i]);
    expect(changed.every((i) => (i > a && i < b - 1) || (i > byteRangeAt && i < byteRangeAt + 60))).toBe(true);
    expect(signed.sha256).toBe(createHash('sha256').update(signed.pdf).digest('hex'));
  });

  it('signs the DER SET of signed attributes with the seal key, and timestamps the SHA-256 of that signature value', async () => {
    const { prepared, signingTime } = await givenPrepared();
    const tsa = recordingTsa(pki.inProcessTsa);

    const { cms } = await signPreparedPdf(prepared, { identity: pki.identity, timestampAuthority: tsa, signingTime });

    const { signedAttributes, signatureValue } = signerInfoOf(cms);
    const publicKey = createPublicKey({ key: Buffer.from(await pki.seal.signer.publicKeySpki()), format: 'der', type: 'spki' });
    expect(verify('sha256', signedAttributes, publicKey, signatureValue)).toBe(true);
    expect(tsa.digests).toEqual([createHash('sha256').update(signatureValue).digest()]);
  });

  it('refuses a PDF that has no placeholder, naming what it expected', async () => {
    const plain = await (await givenDocument()).save();

    const attempt = signPreparedPdf(plain, { identity: pki.identity, timestampAuthority: pki.inProcessTsa, signingTime: new Date() });

    await expect(attempt).rejects.toThrow(SignaturePlaceholderError);
    await expect(attempt).rejects.toThrow(`received ${plain.length} bytes without a ByteRange placeholder; expected a PDF from preparePdfForSigning`);
  });

  it('refuses to sign the same bytes twice: a signed PDF has no placeholder left', async () => {
    const { prepared, signingTime } = await givenPrepared();
    const { pdf } = await signPreparedPdf(prepared, { identity: pki.identity, timestampAuthority: pki.inProcessTsa, signingTime });

    await expect(signPreparedPdf(pdf, { identity: pki.identity, timestampAuthority: pki.inProcessTsa, signingTime })).rejects.toThrow(/without a ByteRange placeholder/);
  });

  it('refuses a placeholder whose /Contents was tampered with before signing', async () => {
    const { prepared, signingTime } = await givenPrepared();
    const at = Buffer.from(prepared).indexOf('/Contents <') + 20;
    const altered = new Uint8Array(prepared);
    altered[at] = 'f'.charCodeAt(0);

    await expect(signPreparedPdf(altered, { identity: pki.identity, timestampAuthority: pki.inProcessTsa, signingTime })).rejects.toThrow(/expected only '0' digits/);
  });

  it('fails clearly when the signature does not fit the placeholder', async () => {
    const { prepared, signingTime } = await givenPrepared({ placeholderBytes: 1024 });

    const attempt = signPreparedPdf(prepared, { identity: pki.identity, timestampAuthority: pki.inProcessTsa, signingTime });

    await expect(attempt).rejects.toThrow(SignatureTooLargeError);
    await expect(attempt).rejects.toThrow(/expected at most 1024 \(the placeholder size\)/);
  });

  it('refuses a signing time outside the seal certificate validity, before asking the TSA', async () => {
    const signingTime = new Date('2001-01-01T00:00:00Z');
    const { prepared } = await givenPrepared({ signingTime });
    const tsa = recordingTsa(pki.inProcessTsa);

    await expect(signPreparedPdf(prepared, { identity: pki.identity, timestampAuthority: tsa, signingTime })).rejects.toThrow(SealCertificateNotValidError);
    expect(tsa.digests).toHaveLength(0);
  });
});
