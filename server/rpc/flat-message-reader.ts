import { type DescField, type DescMessage, fromBinary, ScalarType } from "@bufbuild/protobuf";
import { WireCursor } from "../../core/wire/wire-cursor.js";

export type FlatMessage = Record<string, string | Uint8Array | undefined>;

/** Input protobuf-es would have refused (so the whole request is), naming the field when there is one. */
export class WireError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

export interface FlatStructs {
  /** Numbers of the fields that are a google.protobuf.Struct in the real schema (`repeated bytes` in the view). */
  numbers: ReadonlySet<number>;
  /** Why protobuf-es would refuse one occurrence of such a field, if it would (see structWireProblem). */
  problem: (bytes: Uint8Array) => string | undefined;
}

const TEXT = 0;
const CHECKED_TEXT = 1; // proto3 strings: protobuf-es refuses invalid UTF-8
const BYTES = 2;
const STRUCT = 3;
const LEN = 2;

interface Field {
  localName: string;
  jsonName: string;
  kind: number;
}

/**
 * A reader for a message whose fields are all strings, bytes or Structs (Event
 * in the binary view), built from its descriptor. protobuf-es's generic reader
 * made a message, a view and a TextDecoder call per field of every event, which
 * showed in the unary batch profile. It reads as protobuf-es does: the last of a
 * repeated string wins (one leading BOM dropped, invalid UTF-8 refused), and the
 * occurrences of a Struct field are each checked and then joined, which is
 * protobuf's merge of a message field sent twice. Anything else (unknown fields,
 * wire types out of place) is read by fromBinary. Returns undefined when the
 * message is not flat. Throws WireError, or protobuf-es's error.
 */
export function createFlatReader(desc: DescMessage, structs: FlatStructs): ((bytes: Uint8Array) => FlatMessage) | undefined {
  const byNumber: Array<Field | undefined> = [];
  const structFields: Field[] = [];
  const empty: FlatMessage = {};
  for (const f of desc.fields) {
    const kind = kindOf(f, structs.numbers.has(f.number));
    if (kind === undefined) return undefined;
    const field = { localName: f.localName, jsonName: f.jsonName, kind };
    byNumber[f.number] = field;
    if (kind === STRUCT) structFields.push(field);
    empty[f.localName] = kind === STRUCT ? undefined : kind === BYTES ? new Uint8Array(0) : "";
  }
  const check = (bytes: Uint8Array, field: Field) => {
    const problem = structs.problem(bytes);
    if (problem !== undefined) throw new WireError(field.jsonName, problem);
  };
  const generic = (bytes: Uint8Array): FlatMessage => {
    const m = fromBinary(desc, bytes) as unknown as Record<string, unknown>;
    for (const f of structFields) m[f.localName] = joinStructParts(m[f.localName] as Uint8Array[], (p) => check(p, f));
    return m as FlatMessage;
  };
  return (bytes) => readFlat(bytes, byNumber, empty, structs.problem) ?? generic(bytes);
}

/** A Struct field's occurrences, each checked (`check` throws), joined (protobuf's merge); undefined when there were none, as protobuf-es gives. */
export function joinStructParts(parts: readonly Uint8Array[], check: (part: Uint8Array) => void): Uint8Array | undefined {
  for (const p of parts) check(p);
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

function kindOf(f: DescField, struct: boolean): number | undefined {
  if (struct) return f.fieldKind === "list" && f.scalar === ScalarType.BYTES ? STRUCT : undefined;
  if (f.fieldKind !== "scalar") return undefined;
  if (f.scalar === ScalarType.BYTES) return BYTES;
  if (f.scalar === ScalarType.STRING) return f.utf8Validation ? CHECKED_TEXT : TEXT;
  return undefined;
}

function readFlat(
  bytes: Uint8Array,
  byNumber: Array<Field | undefined>,
  empty: FlatMessage,
  structProblem: (bytes: Uint8Array) => string | undefined,
): FlatMessage | undefined {
  const c = new WireCursor(bytes);
  const out: FlatMessage = { ...empty };
  let parts: Record<string, Uint8Array[]> | undefined; // a Struct field sent more than once
  while (c.pos < c.buf.length) {
    const from = c.pos;
    const tag = c.varint();
    const field = tag < 0 ? undefined : byNumber[Math.floor(tag / 8)];
    if (!field || tag % 8 !== LEN || c.pos - from > 4) return undefined; // protobuf-es refuses some 5-byte tags and all longer ones
    const to = c.lengthEnd();
    if (to < 0) return undefined;
    if (field.kind === BYTES) out[field.localName] = c.buf.subarray(c.pos, to);
    else if (field.kind === STRUCT) {
      const bytes = c.buf.subarray(c.pos, to);
      const problem = structProblem(bytes);
      if (problem !== undefined) throw new WireError(field.jsonName, problem);
      const first = out[field.localName] as Uint8Array | undefined;
      if (first === undefined) out[field.localName] = bytes;
      else {
        parts ??= {};
        (parts[field.localName] ??= [first]).push(bytes); // joined once at the end: no quadratic copying
      }
    } else {
      const s = c.fieldText(c.pos, to);
      // A decoded U+FFFD is either in the input or stands for invalid bytes; only the bytes tell.
      if (field.kind === CHECKED_TEXT && s.includes("\uFFFD") && !c.validUtf8(c.pos, to)) throw new WireError(field.jsonName, "is not valid UTF-8");
      out[field.localName] = s;
    }
    c.pos = to;
  }
  if (parts) for (const name in parts) out[name] = Buffer.concat(parts[name]);
  return out;
}
