import { type DescMessage, fromBinary, ScalarType } from "@bufbuild/protobuf";
import { WireCursor } from "../../core/wire/wire-cursor.js";

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
  const c = new WireCursor(bytes);
  const out: Flat = { ...empty };
  while (c.pos < c.buf.length) {
    const tag = c.varint();
    const field = tag < 0 ? undefined : byNumber[Math.floor(tag / 8)];
    if (!field || tag % 8 !== LEN) return undefined;
    const to = c.lengthEnd();
    if (to < 0) return undefined;
    out[field.localName] = field.text ? c.text(c.pos, to) : c.buf.subarray(c.pos, to);
    c.pos = to;
  }
  return out;
}
