import { fromBinary, type DescMessage } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";

type Flat = Record<string, string | Uint8Array>;
const LEN = 2;

/**
 * A reader for a message whose fields are all strings or bytes (Event in the
 * binary view), built from its descriptor. protobuf-es's generic reader made a
 * message, a view and a TextDecoder call per field of every event, which showed
 * in the unary batch profile. Anything the fast path does not expect (unknown
 * fields, wire types out of place) is read by fromBinary, so the result never
 * differs. Returns undefined when the message is not flat.
 */
export function createFlatReader(desc: DescMessage): ((bytes: Uint8Array) => Flat) | undefined {
  const byNumber: Array<{ localName: string; text: boolean } | undefined> = [];
  for (const f of desc.fields) {
    if (f.fieldKind !== "scalar" || (f.scalar !== ScalarType.STRING && f.scalar !== ScalarType.BYTES)) return undefined;
    byNumber[f.number] = { localName: f.localName, text: f.scalar === ScalarType.STRING };
  }
  const empty: Flat = {};
  for (const f of desc.fields) empty[f.localName] = f.scalar === ScalarType.STRING ? "" : new Uint8Array(0);
  return (bytes) => readFlat(bytes, byNumber, empty) ?? (fromBinary(desc, bytes) as unknown as Flat);
}

function readFlat(bytes: Uint8Array, byNumber: Array<{ localName: string; text: boolean } | undefined>, empty: Flat): Flat | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Flat = { ...empty };
  let pos = 0;
  while (pos < buf.length) {
    let tag = 0;
    let len = 0;
    let shift = 0;
    for (;; shift += 7) {
      if (pos >= buf.length || shift > 28) return undefined;
      const b = buf[pos++];
      tag += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    const field = byNumber[Math.floor(tag / 8)];
    if (!field || tag % 8 !== LEN) return undefined;
    for (shift = 0; ; shift += 7) {
      if (pos >= buf.length || shift > 28) return undefined;
      const b = buf[pos++];
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    if (pos + len > buf.length) return undefined;
    out[field.localName] = field.text ? buf.toString("utf8", pos, pos + len) : buf.subarray(pos, pos + len);
    pos += len;
  }
  return out;
}
