/**
 * Byte helpers over Uint8Array that work alike in Node and in a browser (no Buffer): hex, equality,
 * concatenation and ASCII text.
 */

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of `bytes`. */
export const toHex = (bytes: Uint8Array): string => {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_DIGITS[bytes[i]!];
  return out;
};

/** Bytes of an even-length hex string; undefined when it is not one. */
export const fromHex = (hex: string): Uint8Array | undefined => {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
};

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

export const concatBytes = (...parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};

/** Bytes as Latin-1 text (one character per byte), in chunks so large inputs do not overflow the stack. */
export const latin1 = (bytes: Uint8Array, start = 0, end = bytes.length): string => {
  let out = '';
  for (let i = start; i < end; i += 8192) out += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 8192)));
  return out;
};

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decoding; undefined for invalid sequences. */
export const utf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
};
