/**
 * Where a PDF keeps what a verifier needs: the signature dictionaries (reached from the AcroForm
 * fields, with a scan of all objects as the fallback), the Document Security Store
 * (ISO 32000-2 §12.8.4.3: /Certs and /CRLs streams) and the embedded files of the /EmbeddedFiles
 * name tree. Walks are bounded in depth and count and remember what they visited (cycles).
 */
import { PdfDocument } from './pdf-document.ts';
import { PdfDict, PdfRef, PdfStream, PdfString, textOf, type PdfValue } from './pdf-objects.ts';

const MAX_FIELDS = 1024;
const MAX_FIELD_DEPTH = 16;
const MAX_SIGNATURES = 16;
const MAX_NAME_TREE_NODES = 512;
const MAX_NAME_TREE_DEPTH = 16;
const MAX_DSS_ITEMS = 256;
/** DSS certificates and CRLs are small; a larger one is refused rather than inflated. */
const MAX_DSS_ITEM_BYTES = 4 * 1024 * 1024;

export interface SignatureDictionary {
  /** Fully qualified field name (/T of the field and its parents), when reached through a field. */
  readonly field?: string;
  readonly dict: PdfDict;
  readonly objectNumber?: number;
}

const isSignatureDictionary = (dict: PdfDict): boolean => {
  const type = dict.name('Type');
  return type === 'Sig' || type === 'DocTimeStamp' || (dict.get('ByteRange') !== undefined && dict.get('Contents') instanceof PdfString);
};

/** Signature dictionaries in field order; from a scan of all objects when no field leads to one. */
export const findSignatureDictionaries = async (document: PdfDocument): Promise<SignatureDictionary[]> => {
  const found: SignatureDictionary[] = [];
  const seen = new Set<number | PdfDict>();
  const add = (entry: SignatureDictionary) => {
    const key = entry.objectNumber ?? entry.dict;
    if (seen.has(key) || found.length >= MAX_SIGNATURES) return;
    seen.add(key);
    found.push(entry);
  };

  const catalog = await document.dict(document.trailer.get('Root'));
  const acroForm = await document.dict(catalog?.get('AcroForm'));
  const visited = new Set<number>();
  let fields = 0;
  const walk = async (value: PdfValue, parentName: string | undefined, inheritedType: string | undefined, depth: number): Promise<void> => {
    if (depth > MAX_FIELD_DEPTH || fields++ > MAX_FIELDS) return;
    if (value instanceof PdfRef) {
      if (visited.has(value.objectNumber)) return;
      visited.add(value.objectNumber);
    }
    const field = await document.dict(value);
    if (!field) return;
    const partial = textOf(field.get('T'));
    const name = partial === undefined ? parentName : parentName === undefined ? partial : `${parentName}.${partial}`;
    const type = field.name('FT') ?? inheritedType;
    const signatureValue = field.get('V');
    if (type === 'Sig' && signatureValue !== undefined) {
      const signature = await document.dict(signatureValue);
      if (signature && isSignatureDictionary(signature)) {
        add({ ...(name === undefined ? {} : { field: name }), dict: signature, ...(signatureValue instanceof PdfRef ? { objectNumber: signatureValue.objectNumber } : {}) });
      }
    }
    for (const kid of await document.array(field.get('Kids'))) await walk(kid, name, type, depth + 1);
  };
  for (const field of await document.array(acroForm?.get('Fields'))) await walk(field, undefined, undefined, 0);
  if (found.length > 0) return found;

  // No signature field: look at every object (an unusual writer, or a damaged form).
  for (const objectNumber of document.objectNumbers()) {
    const value = await document.getObject(objectNumber).catch(() => null);
    if (value instanceof PdfDict && isSignatureDictionary(value)) add({ dict: value, objectNumber });
    if (found.length >= MAX_SIGNATURES) break;
  }
  return found;
};

/** The raw items of the DSS /Certs and /CRLs arrays (decoded stream data). */
export interface DocumentSecurityStore {
  readonly certificates: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
  /** Items that could not be read (filter, size), for the report. */
  readonly problems: readonly string[];
}

export const readDocumentSecurityStore = async (document: PdfDocument): Promise<DocumentSecurityStore | undefined> => {
  const catalog = await document.dict(document.trailer.get('Root'));
  const dss = await document.dict(catalog?.get('DSS'));
  if (!dss) return undefined;
  const problems: string[] = [];
  const read = async (key: 'Certs' | 'CRLs'): Promise<Uint8Array[]> => {
    const out: Uint8Array[] = [];
    for (const item of (await document.array(dss.get(key))).slice(0, MAX_DSS_ITEMS)) {
      try {
        const stream = await document.resolve(item);
        if (stream instanceof PdfStream) out.push(await document.streamData(stream, MAX_DSS_ITEM_BYTES));
        else problems.push(`a /${key} entry is not a stream`);
      } catch (error) {
        problems.push(`a /${key} entry is unreadable: ${(error as Error).message}`);
      }
    }
    return out;
  };
  return { certificates: await read('Certs'), crls: await read('CRLs'), problems };
};

/** An embedded file by name, or why it could not be read. */
export type EmbeddedFile = { readonly data: Uint8Array } | { readonly problem: string };

/**
 * The files of the /Names /EmbeddedFiles name tree, by name (the tree's key; the file
 * specification's /UF or /F when the key is not text). A name given twice is kept as a problem:
 * which of two application.json files would an auditor mean?
 */
export const readEmbeddedFiles = async (document: PdfDocument, wanted: ReadonlySet<string>, maxBytes: number): Promise<Map<string, EmbeddedFile>> => {
  const files = new Map<string, EmbeddedFile>();
  const catalog = await document.dict(document.trailer.get('Root'));
  const names = await document.dict(catalog?.get('Names'));
  const root = names?.get('EmbeddedFiles');
  if (root === undefined) return files;
  const visited = new Set<number>();
  let nodes = 0;
  const take = async (key: PdfValue, specification: PdfValue): Promise<void> => {
    const spec = await document.dict(specification);
    const name = textOf(key) ?? textOf(spec?.get('UF')) ?? textOf(spec?.get('F'));
    if (name === undefined || !wanted.has(name)) return;
    if (files.has(name)) {
      files.set(name, { problem: `${name} is embedded more than once` });
      return;
    }
    try {
      const ef = await document.dict(spec?.get('EF'));
      const stream = await document.resolve(ef?.get('F') ?? ef?.get('UF'));
      files.set(name, stream instanceof PdfStream ? { data: await document.streamData(stream, maxBytes) } : { problem: `${name} has no embedded file stream` });
    } catch (error) {
      files.set(name, { problem: `${name} is unreadable: ${(error as Error).message}` });
    }
  };
  const walk = async (value: PdfValue, depth: number): Promise<void> => {
    if (depth > MAX_NAME_TREE_DEPTH || nodes++ > MAX_NAME_TREE_NODES) return;
    if (value instanceof PdfRef) {
      if (visited.has(value.objectNumber)) return;
      visited.add(value.objectNumber);
    }
    const node = await document.dict(value);
    if (!node) return;
    const pairs = await document.array(node.get('Names'));
    for (let i = 0; i + 1 < pairs.length; i += 2) await take(pairs[i]!, pairs[i + 1]!);
    for (const kid of await document.array(node.get('Kids'))) await walk(kid, depth + 1);
  };
  await walk(root, 0);
  return files;
};

/** The /Type name of a dictionary value, for the report. */
