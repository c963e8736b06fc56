import { TooLargeError } from "../../core/errors/domain-errors.js";

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
const base64Value = new Map([...base64Alphabet].map((c, i) => [c, i]));

/**
 * lz-string's base64 form (what older posthog-js sends as `compression=lz64`)
 * decoded into at most `maxChars` characters. Written here rather than
 * calling the lz-string package because its decoder cannot be bounded: each
 * code may emit a dictionary entry one character longer than the last, so a
 * few hundred kilobytes can ask for gigabytes (a decompression bomb), and
 * the package would build it all before any check could run. The format is
 * LZW with codes of growing width, read low bit first from 6-bit characters;
 * codes 0 and 1 bring a new 8- or 16-bit character, 2 ends the text.
 * Returns undefined for input that is not lz-string data.
 */
export function decompressLzBase64(input: string, maxChars: number): string | undefined {
  let position = 0;
  let value = 0;
  let mask = 0; // the next bit of `value` to read; 0: read the next character first
  const bits = (count: number): number | undefined => {
    let out = 0;
    for (let i = 0; i < count; i++) {
      if (mask === 0) {
        if (position >= input.length) return undefined;
        const v = base64Value.get(input[position++]);
        if (v === undefined) return undefined;
        value = v;
        mask = 32;
      }
      if (value & mask) out |= 1 << i;
      mask >>= 1;
    }
    return out;
  };

  const dictionary: string[] = ["", "", ""];
  let width = 2;
  let enlargeIn = 4;
  const literal = (code: number) => (code === 0 ? bits(8) : code === 1 ? bits(16) : undefined);
  const first = bits(2);
  if (first === 2) return "";
  const firstChar = first === undefined ? undefined : literal(first);
  if (firstChar === undefined) return undefined;
  let previous = String.fromCharCode(firstChar);
  dictionary.push(previous);
  width = 3;
  const out: string[] = [previous];
  let length = previous.length;
  for (;;) {
    let code = bits(width);
    if (code === undefined) return undefined; // the data ended without its end mark
    if (code === 2) return out.join("");
    if (code === 0 || code === 1) {
      const c = literal(code);
      if (c === undefined) return undefined;
      dictionary.push(String.fromCharCode(c));
      code = dictionary.length - 1;
      if (--enlargeIn === 0) enlargeIn = 2 ** width++;
    }
    const entry = code < dictionary.length ? dictionary[code] : code === dictionary.length ? previous + previous[0] : undefined;
    if (entry === undefined || code < 3) return undefined;
    length += entry.length;
    if (length > maxChars) throw new TooLargeError("body", `decompressed, the request body is larger than the configured limit (${maxChars} bytes)`);
    out.push(entry);
    dictionary.push(previous + entry[0]);
    previous = entry;
    if (--enlargeIn === 0) enlargeIn = 2 ** width++;
  }
}
