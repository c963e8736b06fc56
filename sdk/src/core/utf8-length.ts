// biome-ignore lint/suspicious/noControlCharactersInRegex: the range from NUL to DEL is what ASCII is.
const nonAscii = /[^\x00-\x7f]/;

/** UTF-8 byte length of a string without encoding it (limits are in bytes, JS strings in UTF-16). */
export function utf8Length(s: string): number {
  if (!nonAscii.test(s)) return s.length; // the common case, scanned natively
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      i++; // surrogate pair: 2 units, 4 bytes
      n += 2;
    } else n += 2;
  }
  return n;
}
