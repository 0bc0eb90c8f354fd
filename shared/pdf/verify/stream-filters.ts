/**
 * Decoding of PDF stream data: FlateDecode (inflate.ts), PNG predictors (xref streams use them),
 * ASCIIHexDecode. Output is bounded: a small deflate bomb must not take the verifier's memory.
 */
import { PdfFormatError } from './errors.ts';
import { inflate } from './inflate.ts';
import { PdfDict, PdfName, type PdfValue } from './pdf-objects.ts';

/** Undoes PNG predictors 10–15 (ISO 32000-1 §7.4.4.4): each row starts with its filter type. */
const unpredictPng = (data: Uint8Array, columns: number, bytesPerPixel: number): Uint8Array => {
  const rowLength = columns * bytesPerPixel;
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = new Uint8Array(rows * rowLength);
  for (let row = 0; row < rows; row++) {
    const filter = data[row * (rowLength + 1)];
    const input = row * (rowLength + 1) + 1;
    const at = row * rowLength;
    for (let i = 0; i < rowLength; i++) {
      const raw = data[input + i]!;
      const left = i >= bytesPerPixel ? out[at + i - bytesPerPixel]! : 0;
      const up = row > 0 ? out[at - rowLength + i]! : 0;
      const upLeft = row > 0 && i >= bytesPerPixel ? out[at - rowLength + i - bytesPerPixel]! : 0;
      let value: number;
      switch (filter) {
        case 0: value = raw; break;
        case 1: value = raw + left; break;
        case 2: value = raw + up; break;
        case 3: value = raw + ((left + up) >> 1); break;
        case 4: {
          const p = left + up - upLeft;
          const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
          value = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw new PdfFormatError(`received PNG row filter ${String(filter)}; expected 0..4`);
      }
      out[at + i] = value & 0xff;
    }
  }
  return out;
};

const asArray = (value: PdfValue | undefined): readonly PdfValue[] => (value === undefined ? [] : Array.isArray(value) ? value : [value as PdfValue]);

const numberIn = (dict: PdfDict | undefined, key: string, fallback: number): number => {
  const value = dict?.get(key);
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 1_000_000 ? value : fallback;
};

/** Decodes stream data by its /Filter and /DecodeParms (direct objects only). */
export const decodeStreamData = async (dict: PdfDict, data: Uint8Array, limit: number): Promise<Uint8Array> => {
  const filters = asArray(dict.get('Filter'));
  const parameters = asArray(dict.get('DecodeParms'));
  if (filters.length > 4) throw new PdfFormatError(`received ${filters.length} filters; expected at most 4`);
  let out = data;
  for (const [index, filter] of filters.entries()) {
    const name = filter instanceof PdfName ? filter.name : undefined;
    const parms = parameters[index] instanceof PdfDict ? (parameters[index] as PdfDict) : undefined;
    if (name === 'FlateDecode' || name === 'Fl') {
      out = inflate(out, limit);
      const predictor = numberIn(parms, 'Predictor', 1);
      if (predictor >= 10) out = unpredictPng(out, numberIn(parms, 'Columns', 1), Math.ceil((numberIn(parms, 'Colors', 1) * numberIn(parms, 'BitsPerComponent', 8)) / 8));
      else if (predictor !== 1) throw new PdfFormatError(`received predictor ${predictor}; expected none or a PNG predictor`);
    } else if (name === 'ASCIIHexDecode' || name === 'AHx') {
      const text = new TextDecoder('latin1').decode(out).replace(/\s+/g, '');
      const end = text.indexOf('>');
      const hex = end < 0 ? text : text.slice(0, end);
      if (!/^[0-9a-fA-F]*$/.test(hex)) throw new PdfFormatError('received ASCIIHexDecode data with non-hex characters; expected hex digits');
      const even = hex.length % 2 ? `${hex}0` : hex;
      out = Uint8Array.from({ length: even.length / 2 }, (_, i) => Number.parseInt(even.slice(i * 2, i * 2 + 2), 16));
    } else {
      throw new PdfFormatError(`received stream filter ${name ?? 'that is not a name'}; expected FlateDecode or ASCIIHexDecode`);
    }
  }
  if (out.length > limit) throw new PdfFormatError(`received a stream of ${out.length} bytes; expected at most ${limit}`);
  return out;
};
