import { fromBinary } from "@bufbuild/protobuf";
import { StructSchema } from "@bufbuild/protobuf/wkt";
import { validUtf8 } from "../core/wire/wire-cursor.js";

/** protobuf-es's default recursion limit. */
const recursionLimit = 100;

/**
 * Why protobuf-es would refuse `bytes` as a google.protobuf.Struct `depth`
 * messages deep (the request is 1, so a field of the request is 2), or
 * undefined when it would read them. The binary view hands Structs on as
 * bytes; this lets it refuse the request where the generic decoder would have.
 * One pass over the common shape (protobuf-es reads it whatever is in it,
 * strings aside); anything else is tried with protobuf-es itself.
 */
export function structWireProblem(bytes: Uint8Array, depth: number): string | undefined {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = shapeOfStruct(b, 0, b.length, depth);
  if (shape === b.length) return undefined;
  if (shape === BAD_TEXT) return "is not valid UTF-8";
  try {
    fromBinary(StructSchema, bytes, { recursionLimit: recursionLimit + 1 - depth, readUnknownFields: false });
    return undefined;
  } catch {
    return "is not a valid google.protobuf.Struct";
  }
}

// What shapeOfStruct found, besides the plain shape (its end position): invalid UTF-8 in a key or string there, or anything else.
const BAD_TEXT = -1;
const OTHER = -2;
// One-byte tags: Struct.fields and ListValue.values (ENTRY), a map entry's key and value, Value's kinds.
const ENTRY = 0x0a;
const KEY = 0x0a;
const VALUE = 0x12;
const NULL = 0x08;
const NUMBER = 0x11;
const STRING = 0x1a;
const BOOL = 0x20;
const STRUCT = 0x2a;
const LIST = 0x32;

/**
 * The walk behind structWireProblem: every field where the Struct, Value and
 * ListValue messages declare it, with its wire type, inside its parent, and
 * nesting within protobuf-es's recursion limit (a Struct and a Value are one
 * level each, a map entry none), is what protobuf-es reads without complaint
 * but for invalid UTF-8 in a string. Plain functions over the buffer, not a
 * cursor object: this runs for every event, before the JSON is written.
 * Returns the end of the Struct, or BAD_TEXT or OTHER.
 */
function shapeOfStruct(b: Buffer, pos: number, end: number, depth: number): number {
  if (depth > recursionLimit) return OTHER;
  while (pos < end) {
    if (b[pos] !== ENTRY) return OTHER;
    const entryEnd = lengthEnd(b, pos + 1, end);
    if (entryEnd < 0) return OTHER;
    pos = runStart;
    while (pos < entryEnd) {
      const tag = b[pos];
      const to = lengthEnd(b, pos + 1, entryEnd);
      if (to < 0) return OTHER;
      if (tag === KEY) {
        if (!validUtf8(b, runStart, to)) return BAD_TEXT;
      } else if (tag === VALUE) {
        const r = shapeOfValue(b, runStart, to, depth + 1);
        if (r < 0) return r;
      } else return OTHER;
      pos = to;
    }
  }
  return pos;
}

function shapeOfValue(b: Buffer, pos: number, end: number, depth: number): number {
  if (depth > recursionLimit) return OTHER;
  while (pos < end) {
    const tag = b[pos++];
    if (tag === NUMBER) {
      pos += 8;
      if (pos > end) return OTHER;
      continue;
    }
    if (tag === NULL || tag === BOOL) {
      const from = pos;
      while (pos < end && b[pos] >= 0x80) pos++;
      if (++pos > end || pos - from > 8) return OTHER; // longer varints: protobuf-es decides
      continue;
    }
    const to = lengthEnd(b, pos, end);
    if (to < 0) return OTHER;
    const r =
      tag === STRING
        ? validUtf8(b, runStart, to)
          ? to
          : BAD_TEXT
        : tag === STRUCT
          ? shapeOfStruct(b, runStart, to, depth + 1)
          : tag === LIST
            ? shapeOfList(b, runStart, to, depth + 1)
            : OTHER;
    if (r < 0) return r;
    pos = to;
  }
  return pos;
}

function shapeOfList(b: Buffer, pos: number, end: number, depth: number): number {
  if (depth > recursionLimit) return OTHER;
  while (pos < end) {
    if (b[pos] !== ENTRY) return OTHER;
    const to = lengthEnd(b, pos + 1, end);
    if (to < 0) return OTHER;
    const r = shapeOfValue(b, runStart, to, depth + 1);
    if (r < 0) return r;
    pos = to;
  }
  return pos;
}

// Where the run whose end lengthEnd returned starts (a second result, without an object per read).
let runStart = 0;

/** The end of the length-delimited run whose length is at `pos`, -1 when it is not within `end`. */
function lengthEnd(b: Buffer, pos: number, end: number): number {
  const first = b[pos];
  if (first < 0x80) {
    runStart = pos + 1; // one-byte lengths: the common case, no loop
    return runStart + first > end ? -1 : runStart + first;
  }
  let n = 0;
  // At most 8 bytes (2^56): within that, protobuf-es's 32-bit reading agrees whenever the run fits.
  for (let i = 0, scale = 1; i < 8 && pos < end; i++, scale *= 128) {
    const c = b[pos++];
    n += (c & 0x7f) * scale;
    if (c < 0x80) {
      runStart = pos;
      return pos + n > end ? -1 : pos + n;
    }
  }
  return -1;
}
