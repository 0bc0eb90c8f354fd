/**
 * The ToUnicode CMap of a subset font: each 2-byte code (the subset glyph id) to the UTF-16BE text
 * it stands for, so copy, search and pdftotext give back the original characters.
 */

const utf16Hex = (codePoint: number): string => {
  const units = codePoint > 0xffff ? [0xd800 + ((codePoint - 0x10000) >> 10), 0xdc00 + ((codePoint - 0x10000) & 0x3ff)] : [codePoint];
  return units.map((u) => u.toString(16).toUpperCase().padStart(4, '0')).join('');
};

const HEADER = `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
`;

const FOOTER = `endcmap
CMapName currentdict /CMap defineresource pop
end
end
`;

/** CMap text for `unicodeByCode` (code → code point); bfchar blocks hold at most 100 entries, as the format requires. */
export const toUnicodeCMap = (unicodeByCode: ReadonlyMap<number, number>): string => {
  const entries = [...unicodeByCode].sort(([a], [b]) => a - b);
  let body = '';
  for (let i = 0; i < entries.length; i += 100) {
    const block = entries.slice(i, i + 100);
    body += `${block.length} beginbfchar\n`;
    for (const [code, codePoint] of block) body += `<${code.toString(16).toUpperCase().padStart(4, '0')}> <${utf16Hex(codePoint)}>\n`;
    body += 'endbfchar\n';
  }
  return HEADER + body + FOOTER;
};

/** Hex of `text` as a UTF-16BE PDF text string with its byte-order mark (for /ActualText). */
export const utf16TextStringHex = (text: string): string => {
  let hex = 'FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return hex;
};
