/**
 * Altered copies of a valid signed result, one per way a file gets tampered with or damaged: a byte
 * changed in each region of the file (header, page content, xref, signature dictionary, CMS, the
 * zero padding of /Contents, DSS, embedded files, trailer), truncations, incremental updates written
 * by hand after the signed bytes, and the signer's certificate swapped inside the CMS. The pdfsig
 * agreement suite and the mutation properties use them; nothing here signs anything.
 *
 * Byte changes keep the byte's class (digit → digit, hex → hex, letter → letter, else XOR 1) so the
 * file stays parseable wherever it can: a judge that merely fails to parse would tell us little.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { children, readTlv, TAG, tlv, contextTag, sequence, type Tlv } from '../../shared/pdf/pades/der.ts';
import { readCertificateFields } from '../../shared/pdf/pades/certificate-fields.ts';
import { extractSignature } from '../../shared/pdf/pades/extract-signature.ts';

/** Where in the file a change was made. */
export type TamperRegion =
  | 'header'
  | 'page-content'
  | 'xref'
  | 'signature-dictionary'
  | 'cms'
  | 'contents-padding'
  | 'dss'
  | 'embedded-file'
  | 'trailer'
  | 'truncation'
  | 'incremental-update'
  | 'certificate-swap';

export interface TamperedPdf {
  /** Says what was done, e.g. `byte flip in the DSS: first certificate`. */
  readonly name: string;
  readonly region: TamperRegion;
  readonly pdf: Uint8Array;
  /** Whether a byte the signature's ByteRange covers differs from the original (or was cut off). */
  readonly touchesSignedRanges: boolean;
}

const latin1 = (pdf: Uint8Array): string => Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

/** The signed ranges of the last signature as half-open [start, end) intervals. */
export const signedRangesOf = (pdf: Uint8Array): readonly [readonly [number, number], readonly [number, number]] => {
  const [a, b, c, d] = extractSignature(pdf).byteRange;
  return [[a, a + b], [c, c + d]];
};

/** Whether `altered` differs from `original` at any offset the original's ByteRange covers (a shorter file counts). */
export const changesSignedBytes = (original: Uint8Array, altered: Uint8Array, ranges = signedRangesOf(original)): boolean =>
  ranges.some(([start, end]) => {
    if (altered.length < end) return true;
    for (let i = start; i < end; i++) if (altered[i] !== original[i]) return true;
    return false;
  });

/** A different byte of the same kind: another digit, another hex digit, another letter, else the byte XOR 1. */
const otherByte = (byte: number): number => {
  const c = String.fromCharCode(byte);
  if (/[0-9]/.test(c)) return byte === 0x39 ? 0x30 : byte + 1;
  if (/[a-fA-F]/.test(c)) return c === 'f' || c === 'F' ? byte - 5 : byte + 1;
  if (/[g-zG-Z]/.test(c)) return c === 'z' || c === 'Z' ? byte - 1 : byte + 1;
  return byte ^ 0x01;
};

/** A copy of `pdf` with the byte at `offset` replaced by another of its kind. */
export const flipByteAt = (pdf: Uint8Array, offset: number): Uint8Array => {
  if (offset < 0 || offset >= pdf.length) throw new RangeError(`received offset ${offset}; expected 0 ≤ offset < ${pdf.length}`);
  const copy = new Uint8Array(pdf);
  copy[offset] = otherByte(copy[offset]!);
  return copy;
};

const indexOrThrow = (text: string, needle: string | RegExp, from = 0, what = String(needle)): number => {
  const index = typeof needle === 'string' ? text.indexOf(needle, from) : (() => {
    const re = new RegExp(needle.source, needle.flags.includes('g') ? needle.flags : `${needle.flags}g`);
    re.lastIndex = from;
    return re.exec(text)?.index ?? -1;
  })();
  if (index < 0) throw new Error(`the signed PDF has no ${what} after offset ${from}; the tamper corpus expects a result as preparePdfForSigning writes it`);
  return index;
};

/** Offsets of the data of stream object `objectNumber`: [first byte, end). */
const streamDataOf = (text: string, objectNumber: number): [number, number] => {
  const objectStart = indexOrThrow(text, new RegExp(`(^|[\\r\\n])${objectNumber} 0 obj`), 0, `object ${objectNumber}`);
  const keyword = indexOrThrow(text, 'stream', objectStart, `stream in object ${objectNumber}`);
  const start = keyword + 'stream'.length + (text[keyword + 6] === '\r' ? 2 : 1);
  const end = indexOrThrow(text, 'endstream', start, `endstream of object ${objectNumber}`);
  return [start, end];
};

const middleOf = ([start, end]: [number, number]): number => start + Math.floor((end - start) / 2);

/** The object number of the page's main content stream (pdf-lib wraps it in q … Q streams: the largest one). */
const pageContentObject = (text: string): number => {
  const pageObject = indexOrThrow(text, /\/Type \/Page\b/, 0, 'page object');
  const contents = /\/Contents (\[[^\]]*\]|\d+ \d+ R)/.exec(text.slice(pageObject, indexOrThrow(text, 'endobj', pageObject)))?.[1];
  if (!contents) throw new Error('the page has no /Contents; expected a content stream');
  const numbers = [...contents.matchAll(/(\d+) \d+ R/g)].map((m) => Number(m[1]));
  const length = (n: number) => { const [start, end] = streamDataOf(text, n); return end - start; };
  return numbers.reduce((largest, n) => (length(n) > length(largest) ? n : largest));
};

/** The CMS inside /Contents: offsets of its parts in the file (each hex digit pair is one DER byte). */
const cmsLandmarks = (pdf: Uint8Array) => {
  const { byteRange, cms } = extractSignature(pdf);
  const hexStart = byteRange[1] + 1;
  const contentInfo = readTlv(cms, 0, TAG.SEQUENCE);
  const signedData = children(cms, children(cms, contentInfo)[1]!)[0]!;
  const parts = children(cms, signedData);
  const certificates = parts.find((p) => p.tag === contextTag(0))!;
  const signerCertificate = children(cms, certificates)[0]!;
  const signerInfo = children(cms, parts.at(-1)!)[0]!;
  const signatureValue = children(cms, signerInfo).find((p) => p.tag === TAG.OCTET_STRING)!;
  const unsigned = children(cms, signerInfo).find((p) => p.tag === contextTag(1));
  const fileOffset = (derOffset: number) => hexStart + derOffset * 2;
  return { cms, contentInfo, signerCertificate, signatureValue, unsigned, fileOffset };
};

/** One byte changed in each region of the file; each says whether it lies inside the signed ranges. */
export const byteFlips = (pdf: Uint8Array): TamperedPdf[] => {
  const text = latin1(pdf);
  const { byteRange } = extractSignature(pdf);
  const ranges = signedRangesOf(pdf);
  const at = (name: string, region: TamperRegion, offset: number): TamperedPdf => {
    const altered = flipByteAt(pdf, offset);
    return { name: `byte flip in ${name} (offset ${offset})`, region, pdf: altered, touchesSignedRanges: changesSignedBytes(pdf, altered, ranges) };
  };

  const pageContent = streamDataOf(text, pageContentObject(text));

  const lastXref = text.lastIndexOf('\nxref') + 1;
  const firstInUseEntry = indexOrThrow(text, / 00000 n/, lastXref, 'in-use xref entry') - 10;
  const sigDict = text.lastIndexOf('/Type /Sig', byteRange[1]);
  const signingTime = indexOrThrow(text, '/M (D:', sigDict, 'signing time /M') + '/M (D:'.length + 13; // a digit of the seconds
  const byteRangeValue = indexOrThrow(text, '/ByteRange [', sigDict) + '/ByteRange ['.length + 2;

  const dssObject = indexOrThrow(text, '/Type /DSS', 0, 'DSS dictionary');
  const dssCerts = /\/Certs \[ ?(\d+) 0 R/.exec(text.slice(dssObject, dssObject + 200));
  const dssCrls = /\/CRLs \[ ?(\d+) 0 R/.exec(text.slice(dssObject, dssObject + 200));
  if (!dssCerts || !dssCrls) throw new Error('the DSS lacks /Certs or /CRLs; expected both');
  const embeddedFile = indexOrThrow(text, '/Type /EmbeddedFile', 0, 'embedded file');
  const embeddedNumber = Number(/(\d+) 0 obj\s*<<\s*$/.exec(text.slice(Math.max(0, embeddedFile - 40), embeddedFile))?.[1] ?? Number.NaN);
  if (Number.isNaN(embeddedNumber)) throw new Error('cannot find the object number of the embedded file stream');

  const trailer = text.lastIndexOf('trailer');
  const trailerSize = indexOrThrow(text, '/Size ', trailer) + '/Size '.length;
  const startxref = text.lastIndexOf('startxref') + 'startxref'.length + 1;

  const cms = cmsLandmarks(pdf);
  return [
    at('the header (%PDF-1.x version digit)', 'header', 7),
    at('the page content stream', 'page-content', middleOf(pageContent)),
    at('the xref table (offset of the first object)', 'xref', firstInUseEntry + 8),
    at('the signature dictionary: signing time /M', 'signature-dictionary', signingTime),
    at('the signature dictionary: /ByteRange', 'signature-dictionary', byteRangeValue),
    at('the CMS: ContentInfo header', 'cms', cms.fileOffset(cms.contentInfo.contentStart) + 1),
    at("the CMS: signer's certificate", 'cms', cms.fileOffset(middleOf([cms.signerCertificate.contentStart, cms.signerCertificate.end]))),
    at('the CMS: signature value', 'cms', cms.fileOffset(cms.signatureValue.end - 4) + 1),
    ...(cms.unsigned ? [at('the CMS: timestamp token', 'cms' as const, cms.fileOffset(middleOf([cms.unsigned.contentStart, cms.unsigned.end])) + 1)] : []),
    at('the zero padding of /Contents (last digit)', 'contents-padding', byteRange[2] - 2),
    at('the zero padding of /Contents (first digit after the CMS)', 'contents-padding', cms.fileOffset(cms.cms.length)),
    at('the DSS: first certificate', 'dss', middleOf(streamDataOf(text, Number(dssCerts[1])))),
    at('the DSS: first CRL', 'dss', middleOf(streamDataOf(text, Number(dssCrls[1])))),
    at('an embedded file', 'embedded-file', middleOf(streamDataOf(text, embeddedNumber))),
    at('the trailer: /Size', 'trailer', trailerSize),
    at('the trailer: startxref', 'trailer', startxref),
  ];
};

/** The file cut at several points: nothing left, inside the header, mid-file, inside /Contents, before %%EOF, one byte short. */
export const truncations = (pdf: Uint8Array): TamperedPdf[] => {
  const text = latin1(pdf);
  const { byteRange } = extractSignature(pdf);
  const points: [string, number][] = [
    ['to nothing', 0],
    ['inside the header', 5],
    ['at half the file', Math.floor(pdf.length / 2)],
    ['inside /Contents', byteRange[1] + 100],
    ['right after /Contents', byteRange[2]],
    ['inside the xref table', text.lastIndexOf('\nxref') + 20],
    ['before %%EOF', text.lastIndexOf('%%EOF')],
    ['by its last byte', pdf.length - 1],
  ];
  return points.map(([where, length]) => ({ name: `truncated ${where} (${length} of ${pdf.length} bytes)`, region: 'truncation', pdf: pdf.slice(0, length), touchesSignedRanges: true }));
};

const trailerValue = (text: string, key: 'Root' | 'Info'): string | undefined => new RegExp(`/${key} (\\d+ \\d+ R)`).exec(text.slice(text.lastIndexOf('trailer')))?.[1];

/**
 * Appends a valid incremental update (ISO 32000-1 §7.5.6): new or replaced objects, an xref section
 * for them, a trailer with /Prev, startxref and %%EOF — everything after the signed bytes.
 */
export const appendIncrementalUpdate = (pdf: Uint8Array, objects: ReadonlyMap<number, string>, trailerExtra: Record<string, string> = {}): Uint8Array => {
  const text = latin1(pdf);
  const previousStartxref = Number(/startxref\s+(\d+)/.exec(text.slice(text.lastIndexOf('startxref')))?.[1]);
  const size = Number(/\/Size (\d+)/.exec(text.slice(text.lastIndexOf('trailer')))?.[1]);
  const root = trailerValue(text, 'Root');
  if (!Number.isInteger(previousStartxref) || !Number.isInteger(size) || !root) throw new Error('cannot read startxref, /Size and /Root of the last trailer');
  let body = text.endsWith('\n') ? '' : '\n';
  const offsets = new Map<number, number>();
  for (const [number, value] of [...objects].sort(([a], [b]) => a - b)) {
    offsets.set(number, pdf.length + Buffer.byteLength(body, 'latin1'));
    body += `${number} 0 obj\n${value}\nendobj\n`;
  }
  const xrefOffset = pdf.length + Buffer.byteLength(body, 'latin1');
  // One subsection per object (valid, if not the shortest encoding), each entry exactly 20 bytes.
  body += 'xref\n';
  for (const [number, offset] of offsets) body += `${number} 1\n${String(offset).padStart(10, '0')} 00000 n \n`;
  const newSize = Math.max(size, ...[...objects.keys()].map((n) => n + 1));
  const info = trailerValue(text, 'Info');
  const entries = { Size: String(newSize), Root: root, ...(info ? { Info: info } : {}), ...trailerExtra, Prev: String(previousStartxref) };
  body += `trailer\n<< ${Object.entries(entries).map(([k, v]) => `/${k} ${v}`).join(' ')} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  const out = new Uint8Array(pdf.length + Buffer.byteLength(body, 'latin1'));
  out.set(pdf);
  out.set(bytesOf(body), pdf.length);
  return out;
};

/** Two real incremental updates after the signature: a new Info dictionary, and the page's content replaced. */
export const incrementalUpdates = (pdf: Uint8Array): TamperedPdf[] => {
  const text = latin1(pdf);
  const size = Number(/\/Size (\d+)/.exec(text.slice(text.lastIndexOf('trailer')))?.[1]);
  const contentsNumber = pageContentObject(text);
  const content = 'BT /F1 24 Tf 72 700 Td (Approved: 10,000,000 KRW) Tj ET';
  return [
    {
      name: 'incremental update appended: a new Info dictionary',
      region: 'incremental-update',
      pdf: appendIncrementalUpdate(pdf, new Map([[size, '<< /Producer (edited after signing) /ModDate (D:20300101000000Z) >>']]), { Info: `${size} 0 R` }),
      touchesSignedRanges: false,
    },
    {
      name: `incremental update appended: page content stream (object ${contentsNumber}) replaced`,
      region: 'incremental-update',
      pdf: appendIncrementalUpdate(pdf, new Map([[contentsNumber, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`]])),
      touchesSignedRanges: false,
    },
  ];
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Rebuilds the CMS SignedData from its parts as `rewrite` returns them, and writes it back into /Contents with zero padding. */
const rewriteSignedData = (pdf: Uint8Array, rewrite: (cms: Uint8Array, parts: readonly Tlv[]) => Uint8Array[]): Uint8Array => {
  const { byteRange, cms } = extractSignature(pdf);
  const contentInfo = readTlv(cms, 0, TAG.SEQUENCE);
  const [contentType, explicit] = children(cms, contentInfo) as [Tlv, Tlv];
  const signedData = children(cms, explicit)[0]!;
  const newCms = sequence(cms.subarray(contentType.start, contentType.end), tlv(contextTag(0), sequence(...rewrite(cms, children(cms, signedData)))));
  const capacity = (byteRange[2] - byteRange[1] - 2) / 2;
  if (newCms.length > capacity) throw new RangeError(`received a ${newCms.length}-byte CMS for a ${capacity}-byte /Contents; expected it to fit`);
  const out = new Uint8Array(pdf);
  out.set(bytesOf(hex(newCms).padEnd(capacity * 2, '0')), byteRange[1] + 1);
  return out;
};

/**
 * The signer's certificate inside the CMS replaced by `certificate` (and, with `rewriteSignerId`, the
 * SignerInfo's issuerAndSerialNumber pointing at it); /ByteRange and every length stay valid.
 */
export const swapSignerCertificate = (pdf: Uint8Array, certificate: Uint8Array, { rewriteSignerId = false } = {}): Uint8Array =>
  rewriteSignedData(pdf, (cms, parts) => {
    const bytes = (t: Tlv) => cms.subarray(t.start, t.end);
    return parts.map((part, index) => {
      if (part.tag === contextTag(0)) {
        const [, ...chain] = children(cms, part);
        return tlv(contextTag(0), certificate, ...chain.map(bytes));
      }
      if (index === parts.length - 1 && rewriteSignerId) {
        const signerInfo = children(cms, part)[0]!;
        const [version, , ...rest] = children(cms, signerInfo);
        const { issuer, serialNumber } = readCertificateFields(certificate);
        return tlv(TAG.SET, sequence(bytes(version!), sequence(issuer, serialNumber), ...rest.map(bytes)));
      }
      return bytes(part);
    });
  });

/**
 * The same signature without its unsigned attributes (the RFC 3161 timestamp): a PAdES B-B signature,
 * valid as such but with no proof of when it existed, so it is judged at the validation time.
 */
export const withoutTimestamp = (pdf: Uint8Array): Uint8Array =>
  rewriteSignedData(pdf, (cms, parts) =>
    parts.map((part, index) => {
      if (index !== parts.length - 1) return cms.subarray(part.start, part.end);
      const signerInfo = children(cms, part)[0]!;
      const signed = children(cms, signerInfo).filter((p) => p.tag !== contextTag(1));
      return tlv(TAG.SET, sequence(...signed.map((p) => cms.subarray(p.start, p.end))));
    }),
  );

/** The signer's certificate swapped for `other`, with and without the SignerInfo pointing at it. */
export const certificateSwaps = (pdf: Uint8Array, others: readonly { readonly label: string; readonly certificate: Uint8Array }[]): TamperedPdf[] =>
  others.flatMap(({ label, certificate }) => [
    { name: `signer certificate in the CMS swapped for ${label}`, region: 'certificate-swap' as const, pdf: swapSignerCertificate(pdf, certificate), touchesSignedRanges: false },
    {
      name: `signer certificate and signer id in the CMS swapped for ${label}`,
      region: 'certificate-swap' as const,
      pdf: swapSignerCertificate(pdf, certificate, { rewriteSignerId: true }),
      touchesSignedRanges: false,
    },
  ]);

/** Every variant of one valid signed result: byte flips, truncations, incremental updates, certificate swaps. */
export const tamperCorpus = (pdf: Uint8Array, others: readonly { readonly label: string; readonly certificate: Uint8Array }[]): TamperedPdf[] => [
  ...byteFlips(pdf),
  ...truncations(pdf),
  ...incrementalUpdates(pdf),
  ...certificateSwaps(pdf, others),
];

// --- pdfsig, the independent judge the corpus is compared with -------------------------------------

/** What pdfsig (poppler + NSS) printed about the first signature of a file. */
export interface PdfsigReport {
  /** pdfsig's exit code: non-zero when it could not open the file as a PDF. */
  readonly exitCode: number;
  /** False when pdfsig found no signature (or no document) to report on. */
  readonly foundSignature: boolean;
  /** E.g. `Signature is Valid`, `Digest Mismatch`, `Signature is Invalid`, `Unknown Validation Failure`. */
  readonly signatureValidation?: string;
  /** E.g. `Certificate is Trusted`, `Certificate issuer isn't Trusted`. */
  readonly certificateValidation?: string;
  /** `Total document signed` (true) or `Not total document signed` (false). */
  readonly totalDocumentSigned?: boolean;
  readonly output: string;
}

/** Reads pdfsig's text report (stdout and stderr together). */
export const parsePdfsig = (output: string, exitCode: number): PdfsigReport => {
  const signatureValidation = /Signature Validation: (.+?)\.?$/m.exec(output)?.[1];
  const certificateValidation = /Certificate Validation: (.+?)\.?$/m.exec(output)?.[1];
  const total = /^\s*- (Total document signed|Not total document signed)/m.exec(output)?.[1];
  return {
    exitCode,
    foundSignature: /Signature #1:/.test(output),
    ...(signatureValidation ? { signatureValidation } : {}),
    ...(certificateValidation ? { certificateValidation } : {}),
    ...(total ? { totalDocumentSigned: total === 'Total document signed' } : {}),
    output,
  };
};

export interface Pdfsig {
  /** Runs pdfsig on a file with only our root trusted; never rejects on pdfsig's own exit code. */
  judge(path: string): Promise<PdfsigReport>;
  /** The NSS database directory (sql:…) it uses. */
  readonly nssDir: string;
}

/**
 * pdfsig against a fresh NSS database in `directory` that trusts only `rootPemPath`. Offline by
 * construction: our certificates carry no AIA, and pdfsig cannot see the CRLs in the DSS.
 */
export const createPdfsig = async (directory: string, rootPemPath: string): Promise<Pdfsig> => {
  const exec = (command: string, args: string[]) =>
    new Promise<{ code: number; output: string }>((resolve, reject) => {
      execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : Number.NaN) : 0;
        if (Number.isNaN(code)) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve({ code, output: `${stdout}${stderr}` });
      });
    });
  const nssDir = `${directory}/nss`;
  await mkdir(nssDir, { recursive: true });
  for (const args of [['-N', '--empty-password', '-d', `sql:${nssDir}`], ['-A', '-n', 'hanbeon root', '-t', 'C,C,C', '-i', rootPemPath, '-d', `sql:${nssDir}`]]) {
    const { code, output } = await exec('certutil', args);
    if (code !== 0) throw new Error(`certutil ${args.join(' ')} exited ${code}: ${output}`);
  }
  return {
    nssDir,
    judge: async (path) => {
      const { code, output } = await exec('pdfsig', ['-nssdir', `sql:${nssDir}`, path]);
      return parsePdfsig(output, code);
    },
  };
};
