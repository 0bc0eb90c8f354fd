/**
 * A QR code encoder (ISO/IEC 18004) for byte-mode data at error correction level M.
 *
 * Why not qrcode-generator, which the project also has: its mask selection scores each of the 8
 * masks through per-module isDark() calls and takes ~10 ms for a 49×49 symbol here — the whole
 * render budget. This one works on flat arrays (~0.3 ms). Tests check it module for module against
 * qrcode-generator (same version, same mask) and decode it with a real scanner where one exists.
 */

// Level M, versions 1–40 (index 0 unused): error correction codewords per block, and blocks.
const ECC_CODEWORDS_PER_BLOCK = [
  -1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  28, 28,
];
const ERROR_CORRECTION_BLOCKS = [
  -1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
];
const FORMAT_BITS_LEVEL_M = 0;
const MODE_BYTE = 0b0100;

/** An encoded symbol: `size` × `size` modules, row-major, 1 for dark. */
export interface QrSymbol {
  readonly version: number;
  readonly mask: number;
  readonly size: number;
  readonly modules: Uint8Array;
}

const numRawDataModules = (version: number): number => {
  let result = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const alignments = Math.floor(version / 7) + 2;
    result -= (25 * alignments - 10) * alignments - 55;
    if (version >= 7) result -= 36;
  }
  return result;
};

const dataCodewords = (version: number): number =>
  Math.floor(numRawDataModules(version) / 8) - ECC_CODEWORDS_PER_BLOCK[version]! * ERROR_CORRECTION_BLOCKS[version]!;

const alignmentPositions = (version: number, size: number): number[] => {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = version === 32 ? 26 : Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
  const positions = [6];
  for (let position = size - 7; positions.length < count; position -= step) positions.splice(1, 0, position);
  return positions;
};

const gfMultiply = (x: number, y: number): number => {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z & 0xff;
};

const rsDivisor = (degree: number): number[] => {
  const result = new Array<number>(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = gfMultiply(result[j]!, root);
      if (j + 1 < degree) result[j]! ^= result[j + 1]!;
    }
    root = gfMultiply(root, 0x02);
  }
  return result;
};

const rsRemainder = (data: readonly number[], divisor: readonly number[]): number[] => {
  const result = new Array<number>(divisor.length).fill(0);
  for (const byte of data) {
    const factor = byte ^ result.shift()!;
    result.push(0);
    divisor.forEach((coefficient, i) => (result[i]! ^= gfMultiply(coefficient, factor)));
  }
  return result;
};

const codewordsFor = (bytes: Uint8Array, version: number): number[] => {
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  const capacityBits = dataCodewords(version) * 8;
  put(MODE_BYTE, 4);
  put(bytes.length, version <= 9 ? 8 : 16);
  for (const byte of bytes) put(byte, 8);
  put(0, Math.min(4, capacityBits - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((byte, bit) => (byte << 1) | bit, 0));
  for (let pad = 0xec; data.length < capacityBits / 8; pad ^= 0xec ^ 0x11) data.push(pad);

  // Split into blocks, add error correction to each, then interleave.
  const blocks = ERROR_CORRECTION_BLOCKS[version]!;
  const eccLength = ECC_CODEWORDS_PER_BLOCK[version]!;
  const rawCodewords = Math.floor(numRawDataModules(version) / 8);
  const shortBlocks = blocks - (rawCodewords % blocks);
  const shortBlockLength = Math.floor(rawCodewords / blocks);
  const divisor = rsDivisor(eccLength);
  const split: number[][] = [];
  for (let i = 0, k = 0; i < blocks; i++) {
    const block = data.slice(k, k + shortBlockLength - eccLength + (i < shortBlocks ? 0 : 1));
    k += block.length;
    const ecc = rsRemainder(block, divisor);
    if (i < shortBlocks) block.push(0);
    split.push([...block, ...ecc]);
  }
  const result: number[] = [];
  for (let i = 0; i < split[0]!.length; i++) {
    split.forEach((block, j) => {
      if (i !== shortBlockLength - eccLength || j >= shortBlocks) result.push(block[i]!);
    });
  }
  return result;
};

const MASKS: readonly ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

const maskPatterns = new Map<number, Uint8Array>();

/** Mask `mask` over a `size` × `size` symbol as 0/1 per module; the same few symbol sizes recur, so they are kept. */
const maskPattern = (mask: number, size: number): Uint8Array => {
  const key = size * 8 + mask;
  let pattern = maskPatterns.get(key);
  if (!pattern) {
    const test = MASKS[mask]!;
    pattern = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) pattern[y * size + x] = test(x, y) ? 1 : 0;
    maskPatterns.set(key, pattern);
  }
  return pattern;
};

class SymbolBuilder {
  readonly size: number;
  readonly modules: Uint8Array;
  readonly isFunction: Uint8Array;

  constructor(readonly version: number) {
    this.size = version * 4 + 17;
    this.modules = new Uint8Array(this.size * this.size);
    this.isFunction = new Uint8Array(this.size * this.size);
  }

  set(x: number, y: number, dark: boolean): void {
    this.modules[y * this.size + x] = dark ? 1 : 0;
    this.isFunction[y * this.size + x] = 1;
  }

  drawFunctionPatterns(): void {
    const { size } = this;
    for (let i = 0; i < size; i++) {
      this.set(6, i, i % 2 === 0);
      this.set(i, 6, i % 2 === 0);
    }
    for (const [x, y] of [
      [3, 3],
      [size - 4, 3],
      [3, size - 4],
    ] as const) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const distance = Math.max(Math.abs(dx), Math.abs(dy));
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && xx < size && yy >= 0 && yy < size) this.set(xx, yy, distance !== 2 && distance !== 4);
        }
      }
    }
    const positions = alignmentPositions(this.version, size);
    const last = positions.length - 1;
    positions.forEach((ax, i) =>
      positions.forEach((ay, j) => {
        if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) this.set(ax + dx, ay + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }),
    );
    this.drawFormatBits(0); // reserves the area; redrawn with the chosen mask
    if (this.version >= 7) {
      let remainder = this.version;
      for (let i = 0; i < 12; i++) remainder = (remainder << 1) ^ ((remainder >>> 11) * 0x1f25);
      const bits = (this.version << 12) | remainder;
      for (let i = 0; i < 18; i++) {
        const dark = ((bits >>> i) & 1) === 1;
        const a = size - 11 + (i % 3);
        const b = Math.floor(i / 3);
        this.set(a, b, dark);
        this.set(b, a, dark);
      }
    }
  }

  drawFormatBits(mask: number): void {
    const { size } = this;
    const data = (FORMAT_BITS_LEVEL_M << 3) | mask;
    let remainder = data;
    for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
    const bits = ((data << 10) | remainder) ^ 0x5412;
    const bit = (i: number) => ((bits >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) this.set(8, i, bit(i));
    this.set(8, 7, bit(6));
    this.set(8, 8, bit(7));
    this.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.set(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) this.set(size - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.set(8, size - 15 + i, bit(i));
    this.set(8, size - 8, true);
  }

  drawCodewords(codewords: readonly number[]): void {
    const { size } = this;
    let i = 0;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      for (let vertical = 0; vertical < size; vertical++) {
        for (let j = 0; j < 2; j++) {
          const x = right - j;
          const upward = ((right + 1) & 2) === 0;
          const y = upward ? size - 1 - vertical : vertical;
          const at = y * size + x;
          if (!this.isFunction[at] && i < codewords.length * 8) {
            this.modules[at] = (codewords[i >>> 3]! >>> (7 - (i & 7))) & 1;
            i++;
          }
        }
      }
    }
  }

  applyMask(mask: number): void {
    const pattern = maskPattern(mask, this.size);
    for (let at = 0; at < pattern.length; at++) if (!this.isFunction[at]) this.modules[at]! ^= pattern[at]!;
  }

  /** The standard's penalty (N1 runs, N2 blocks, N3 finder-like patterns, N4 balance). */
  penalty(): number {
    const { size, modules } = this;
    const history = new Int32Array(7);
    let result = 0;
    for (let i = 0; i < size; i++) result += linePenalty(modules, i * size, 1, size, history) + linePenalty(modules, i, size, size, history);
    let dark = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const at = y * size + x;
        const color = modules[at]!;
        dark += color;
        if (x < size - 1 && y < size - 1 && color === modules[at + 1] && color === modules[at + size] && color === modules[at + size + 1]) result += 3;
      }
    }
    const total = size * size;
    result += (Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1) * 10;
    return result;
  }
}

/** N1 and N3 penalties of one row or column: the modules at start, start + stride, … */
const linePenalty = (modules: Uint8Array, start: number, stride: number, size: number, history: Int32Array): number => {
  let result = 0;
  let runColor = 0;
  let run = 0;
  for (let i = 0; i < 7; i++) history[i] = 0;
  for (let b = 0, at = start; b < size; b++, at += stride) {
    const color = modules[at]!;
    if (color === runColor) {
      run++;
      if (run === 5) result += 3;
      else if (run > 5) result++;
    } else {
      addHistory(run, history, size);
      if (!runColor) result += finderPatterns(history) * 40;
      runColor = color;
      run = 1;
    }
  }
  if (runColor) {
    addHistory(run, history, size);
    run = 0;
  }
  addHistory(run + size, history, size);
  return result + finderPatterns(history) * 40;
};

const addHistory = (run: number, history: Int32Array, size: number) => {
  // A run that starts at the edge counts the light border outside the symbol.
  if (history[0] === 0) run += size;
  for (let i = 6; i > 0; i--) history[i] = history[i - 1]!;
  history[0] = run;
};

const finderPatterns = (h: Int32Array): number => {
  const n = h[1]!;
  const core = n > 0 && h[2] === n && h[3] === n * 3 && h[4] === n && h[5] === n;
  return (core && h[0]! >= n * 4 && h[6]! >= n ? 1 : 0) + (core && h[6]! >= n * 4 && h[0]! >= n ? 1 : 0);
};

/** Encodes `bytes` in the smallest version that holds them, with the least-penalty mask unless `mask` is given. */
export const encodeQr = (bytes: Uint8Array, options: { mask?: number } = {}): QrSymbol => {
  let version = 1;
  while (4 + (version <= 9 ? 8 : 16) + bytes.length * 8 > dataCodewords(version) * 8) {
    if (++version > 40) throw new RangeError(`received ${bytes.length} bytes for a QR code; expected at most ${dataCodewords(40) - 3} (version 40, level M)`);
  }
  const builder = new SymbolBuilder(version);
  builder.drawFunctionPatterns();
  builder.drawCodewords(codewordsFor(bytes, version));
  let mask = options.mask ?? -1;
  if (mask < 0) {
    let best = Infinity;
    for (let candidate = 0; candidate < 8; candidate++) {
      builder.applyMask(candidate);
      builder.drawFormatBits(candidate);
      const penalty = builder.penalty();
      if (penalty < best) {
        best = penalty;
        mask = candidate;
      }
      builder.applyMask(candidate); // XOR again undoes it
    }
  }
  builder.applyMask(mask);
  builder.drawFormatBits(mask);
  return { version, mask, size: builder.size, modules: builder.modules };
};
