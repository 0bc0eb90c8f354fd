/**
 * Step one of PAdES signing: turn a rendered document into a PDF with an empty signature of fixed
 * size, the visible seal (직인) as the signature widget's appearance, and the validation data in a
 * Document Security Store. Step two (signPreparedPdf) only fills bytes in, so it stays fast.
 *
 * Where the DSS goes — in the signed revision, not in an incremental update after signing:
 * ETSI EN 319 142-1 defines B-LT as B-T plus the validation material (certificates, CRLs/OCSP) in
 * the DSS dictionary of ISO 32000-2 §12.8.4.3; it does not require that dictionary to come later
 * than the signature. The material is added *afterwards* when a signature is augmented (a
 * signer who only learns the revocation status after signing, or B-LTA archiving, which adds
 * further revisions anyway), and that is where the incremental-update pattern of other tools comes
 * from. Our certificates and CRLs are all known before signing (SealingIdentity carries them), so
 * writing them into the signed revision:
 *  - makes the file a single revision that the signature covers end to end — pdfsig reports
 *    "Total document signed", and no unsigned bytes follow the signature for a reader to wonder about;
 *  - puts the validation data itself under the signature, so it cannot be swapped unnoticed;
 *  - keeps signing one in-place fill, with no second save.
 * Costs: no /VRI entry (its key is the SHA-1 of the signature value, unknown before signing; VRI is
 * optional for B-LT), and the TSA's own certificate path is found in the timestamp token (RFC 3161
 * certReq) rather than in the DSS; the CRLs of the CAs above the TSA are in the DSS when the TSA
 * is issued under the same root. A later augmentation (B-LTA) can still append a DSS revision.
 */
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFString, type PDFDocument, type PDFRef } from 'pdf-lib';
import type { SealingIdentity } from '../../seal/sealing-identity.ts';
import { BYTE_RANGE_PLACEHOLDER_NAME } from './placeholder.ts';

/**
 * Bytes reserved for the CMS: signer and chain certificates, attributes, and a timestamp token with
 * its own certificates. With P-256 keys that CMS measures about 3.3 KB; 8 KB leaves room for longer
 * names and chains while keeping the signed result well under 60 KB (the hex doubles the reserve).
 */
export const DEFAULT_PLACEHOLDER_BYTES = 8_192;

/** Where and how the seal is drawn: a form XObject already in the document, placed on a page. */
export interface SealAppearance {
  /** Reference to the form XObject drawn as the widget's normal appearance (/AP /N). */
  readonly ref: PDFRef;
  /** Widget rectangle in the page's default user space (points, origin bottom left). */
  readonly rect: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly pageIndex: number;
}

export interface PrepareOptions {
  /** Certificates and CRLs of the sealing identity: all go into the DSS. */
  readonly identity: Pick<SealingIdentity, 'certificate' | 'chain' | 'crls'>;
  /** The visible seal; absent gives an invisible signature on the first page. */
  readonly appearance?: SealAppearance;
  readonly reason: string;
  readonly location?: string;
  readonly name?: string;
  readonly contactInfo?: string;
  /** Claimed signing time, written as /M (PAdES keeps it out of the CMS signed attributes). */
  readonly signingTime: Date;
  /** Size of the /Contents placeholder in bytes (hex doubles it); default DEFAULT_PLACEHOLDER_BYTES. */
  readonly placeholderBytes?: number;
}

const SIGNATURE_FIELD_NAME = 'Seal';
const ANNOTATION_FLAG_PRINT = 4;
const ANNOTATION_FLAGS_INVISIBLE = 2 | 4 | 128; // Hidden | Print | Locked
// SignaturesExist | AppendOnly (ISO 32000-1 Table 219): viewers must save later changes incrementally.
const SIG_FLAGS = 3;

const addDocumentSecurityStore = (doc: PDFDocument, identity: PrepareOptions['identity']): void => {
  const { context } = doc;
  const streams = (items: readonly Uint8Array[]) => context.obj(items.map((der) => context.register(context.stream(der))));
  const dss = context.obj({ Type: 'DSS', Certs: streams([identity.certificate, ...identity.chain]), CRLs: streams(identity.crls) });
  doc.catalog.set(PDFName.of('DSS'), context.register(dss));
  // PAdES (ETSI) extension declaration that introduced the DSS into PDF 1.7 (ISO 32000-2 has it natively).
  doc.catalog.set(PDFName.of('Extensions'), context.obj({ ESIC: { BaseVersion: PDFName.of('1.7'), ExtensionLevel: 5 } }));
};

const addToAcroForm = (doc: PDFDocument, fieldRef: PDFRef): void => {
  const existing = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  if (existing) {
    const fields = existing.lookupMaybe(PDFName.of('Fields'), PDFArray);
    if (fields) fields.push(fieldRef);
    else existing.set(PDFName.of('Fields'), doc.context.obj([fieldRef]));
    existing.set(PDFName.of('SigFlags'), PDFNumber.of(SIG_FLAGS));
    return;
  }
  doc.catalog.set(PDFName.of('AcroForm'), doc.context.register(doc.context.obj({ Fields: [fieldRef], SigFlags: SIG_FLAGS })));
};

/** Adds signature field, seal widget, placeholder signature dictionary and DSS; returns the saved bytes, ready for signPreparedPdf. */
export const preparePdfForSigning = async (doc: PDFDocument, options: PrepareOptions): Promise<Uint8Array> => {
  const { identity, appearance, reason, location, name, contactInfo, signingTime } = options;
  const placeholderBytes = options.placeholderBytes ?? DEFAULT_PLACEHOLDER_BYTES;
  if (!Number.isInteger(placeholderBytes) || placeholderBytes < 1024) {
    throw new RangeError(`received placeholderBytes ${placeholderBytes}; expected an integer of at least 1024`);
  }
  const pageIndex = appearance?.pageIndex ?? 0;
  const pageCount = doc.getPageCount();
  if (!Number.isInteger(pageIndex) || pageIndex < 0 || pageIndex >= pageCount) {
    throw new RangeError(`received pageIndex ${pageIndex}; expected 0..${pageCount - 1}`);
  }
  const { context } = doc;
  const page = doc.getPage(pageIndex);

  // ByteRange before Contents, adjacent: the byte scanner of signPreparedPdf relies on this order.
  const signature = context.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'ETSI.CAdES.detached',
    ByteRange: [0, BYTE_RANGE_PLACEHOLDER_NAME, BYTE_RANGE_PLACEHOLDER_NAME, BYTE_RANGE_PLACEHOLDER_NAME],
    Contents: PDFHexString.of('0'.repeat(placeholderBytes * 2)),
    M: PDFString.fromDate(signingTime),
    Reason: PDFHexString.fromText(reason),
    ...(location === undefined ? {} : { Location: PDFHexString.fromText(location) }),
    ...(name === undefined ? {} : { Name: PDFHexString.fromText(name) }),
    ...(contactInfo === undefined ? {} : { ContactInfo: PDFHexString.fromText(contactInfo) }),
  });
  const signatureRef = context.register(signature);

  const rect = appearance ? [appearance.rect.x, appearance.rect.y, appearance.rect.x + appearance.rect.width, appearance.rect.y + appearance.rect.height] : [0, 0, 0, 0];
  // Field and widget merged into one dictionary, as is usual for a single-widget signature field.
  const widget = context.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFString.of(SIGNATURE_FIELD_NAME),
    V: signatureRef,
    Rect: rect,
    F: appearance ? ANNOTATION_FLAG_PRINT : ANNOTATION_FLAGS_INVISIBLE,
    P: page.ref,
    ...(appearance ? { AP: { N: appearance.ref } } : {}),
  });
  const widgetRef = context.register(widget);
  page.node.addAnnot(widgetRef);
  addToAcroForm(doc, widgetRef);
  addDocumentSecurityStore(doc, identity);

  // No object streams: the signature dictionary must be plain bytes the scanner can find and fill.
  return doc.save({ useObjectStreams: false, updateFieldAppearances: false });
};
