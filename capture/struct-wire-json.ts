import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { InvalidInputError } from "../core/errors/domain-errors.js";
import { JsonBytesOut } from "../core/wire/json-bytes-out.js";
import { WireCursor } from "../core/wire/wire-cursor.js";
import { checkJson, forbiddenKeys, type JsonLimits, jsonPath } from "./json-limits.js";
import { genericProperties } from "./struct-generic.js";
import { decodedTextProblem } from "./text-check.js";

/** Properties as the queue stores them, with the one value capture rules look at. */
export interface PropertiesText {
  /** JSON text, or its UTF-8 bytes (the binary transports' path writes bytes, never a string). */
  json: string | Buffer;
  /** The top-level `feature` value (most_used_feature needs a string there). */
  feature: JsonValue | undefined;
}

/** Checks a JSON object against the limits and serializes it (the JSON transports' path). */
export function propertiesFromObject(properties: JsonObject, path: string, limits: JsonLimits): PropertiesText {
  checkJson(properties, path, limits);
  return { json: JSON.stringify(properties), feature: properties.feature };
}

/**
 * Turns google.protobuf.Struct wire bytes straight into JSON bytes, applying
 * the same limits as checkJson. The binary transports hand us the bytes
 * untouched: the generic decoder built a message per value and then a JSON
 * object, which cost 4× the rest of capture per event (bench profiles); ASCII
 * strings are copied (escaped) byte for byte, without a JS string in between.
 * Anything irregular (repeated keys, digit keys, which JavaScript objects put
 * first, fields out of place) and any refusal take the generic decoder: the
 * fast reader stops at the first problem, and what follows it (the same key
 * again) may change the answer. So the answer is always what protobuf-es's
 * JsonObject gives, with one exception: a `__proto__` key, which protobuf-es
 * drops without a word, is refused, as the JSON transports refuse it.
 */
export function propertiesFromStructBytes(bytes: Uint8Array, path: string, limits: JsonLimits): PropertiesText {
  if (bytes.length === 0) return { json: "{}", feature: undefined };
  const reader = new StructReader(bytes, path, limits);
  out.begin();
  try {
    reader.struct(0, bytes.length, 0);
    return { json: out.view(), feature: reader.feature };
  } catch (e) {
    if (!(e instanceof Irregular) && !(e instanceof InvalidInputError)) throw e;
    const properties = genericProperties(bytes);
    // Bytes protobuf-es cannot read: the fast reader's refusal names the field (the server refused them earlier, see structWireProblem).
    if (properties === undefined) throw e instanceof InvalidInputError ? e : new InvalidInputError(path, "is not a valid google.protobuf.Struct");
    return propertiesFromObject(properties, path, limits);
  }
}

const out = new JsonBytesOut(1 << 14);

// Property names repeat across events: each one checked and JSON-quoted (as
// the bytes of `"key":`) is remembered (bounded, so hostile random keys cannot grow it).
const quotedKeys = new Map<string, Buffer>();
const maxQuotedKeys = 10_000;

const literal = { null: Buffer.from("null"), true: Buffer.from("true"), false: Buffer.from("false") };
const [OPEN, CLOSE, LIST_OPEN, LIST_CLOSE, COMMA] = ["{", "}", "[", "]", ","].map((c) => c.charCodeAt(0));

/** Not an error of the input: the fast reader leaves this case to the generic decoder. */
class Irregular extends Error {}

const LEN = 2;
const VARINT = 0;
const I64 = 1;
// Keys JavaScript objects order first (array indexes), whatever their place on the wire.
const indexKey = /^(?:0|[1-9]\d{0,9})$/;
// Below this many keys a Struct's repeated-key check scans an array; above, a Set keeps it linear.
const scanKeys = 16;

class StructReader extends WireCursor {
  private readonly path: Array<string | number> = [];
  feature: JsonValue | undefined;
  // Wire type and end of the field just read by field() (kept here, not in an object per field).
  private wt = 0;
  private to = 0;

  constructor(
    bytes: Uint8Array,
    private readonly root: string,
    private readonly limits: JsonLimits,
  ) {
    super(bytes);
  }

  /** Reads a tag and, for length-delimited fields, the end of the field; returns the field number. */
  private field(end: number): number {
    const tag = this.varint();
    if (tag < 0) throw new Irregular();
    this.wt = tag & 7;
    this.to = this.wt === LEN ? this.lengthEnd(end) : this.pos;
    if (this.to < 0) throw new Irregular();
    return Math.floor(tag / 8);
  }

  /** The JSON path of what is being read, built only for an error message. */
  private at(): string {
    return jsonPath(this.root, this.path);
  }

  struct(start: number, end: number, depth: number): void {
    if (depth >= this.limits.maxDepth) throw new InvalidInputError(this.at() || "body", `nested deeper than ${this.limits.maxDepth} levels`);
    this.pos = start;
    const keys: string[] = [];
    let seen: Set<string> | undefined;
    let count = 0;
    out.byte(OPEN);
    while (this.pos < end) {
      if (this.field(end) !== 1 || this.wt !== LEN) throw new Irregular();
      const entryEnd = this.to;
      let key: string | undefined;
      let valued = false;
      while (this.pos < entryEnd) {
        const no = this.field(entryEnd);
        const fieldEnd = this.to;
        if (this.wt !== LEN) throw new Irregular();
        if (no === 1 && key === undefined) {
          key = this.fieldText(this.pos, fieldEnd);
          const quoted = this.quotedKey(key); // checks the key first, as checkJson does
          if (seen ? seen.has(key) : keys.includes(key)) throw new Irregular(); // last one wins: leave that to the generic decoder
          if (seen) seen.add(key);
          else if (keys.push(key) > scanKeys) seen = new Set(keys);
          if (count++ > 0) out.byte(COMMA);
          out.raw(quoted);
        } else if (no === 2 && key !== undefined && !valued) {
          this.path.push(key);
          this.value(this.pos, fieldEnd, depth + 1, key);
          this.path.pop();
          valued = true;
        } else throw new Irregular();
        this.pos = fieldEnd;
      }
      if (key === undefined) throw new Irregular();
      if (!valued) out.raw(literal.null); // a map entry without a value is a Value with no kind: null
    }
    out.byte(CLOSE);
  }

  /** `"key":` as bytes, once the key passed the checks. */
  private quotedKey(key: string): Buffer {
    if (key.length > this.limits.maxKeyLength) {
      throw new InvalidInputError(this.at() || "body", `a key is longer than ${this.limits.maxKeyLength} characters`);
    }
    let q = quotedKeys.get(key);
    if (q !== undefined) return q;
    if (indexKey.test(key) && Number(key) < 2 ** 32 - 1) throw new Irregular(); // never cached: checked on each miss only
    const forbidden = forbiddenKeys.has(key);
    const problem = forbidden ? `the key "${key}" is not allowed` : decodedTextProblem(key);
    if (problem !== undefined) {
      this.path.push(key);
      throw new InvalidInputError(forbidden ? this.at() : `${this.at()} (key)`, problem);
    }
    q = Buffer.from(`${JSON.stringify(key)}:`);
    if (quotedKeys.size >= maxQuotedKeys) quotedKeys.clear(); // junk keys cannot pin it full
    quotedKeys.set(key, q);
    return q;
  }

  private value(start: number, end: number, depth: number, topKey?: string): void {
    this.pos = start;
    if (this.pos >= end) {
      out.raw(literal.null);
      return;
    }
    const no = this.field(end);
    const wt = this.wt;
    if (this.to !== end && wt === LEN) throw new Irregular(); // more than one kind set
    const top = depth === 1 && topKey === "feature";
    switch (no) {
      case 1:
        if (wt !== VARINT) throw new Irregular();
        if (this.varint() < 0 || this.pos !== end) throw new Irregular();
        out.raw(literal.null);
        return;
      case 2: {
        if (wt !== I64 || this.pos + 8 !== end) throw new Irregular();
        const n = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        if (!Number.isFinite(n)) throw new InvalidInputError(this.at(), "must be a finite number");
        if (top) this.feature = n;
        out.ascii(String(n));
        return;
      }
      case 3: {
        if (wt !== LEN) throw new Irregular();
        if (top) this.feature = this.fieldText(this.pos, end);
        if (out.asciiString(this.buf, this.pos, end)) return;
        const s = this.fieldText(this.pos, end);
        const problem = decodedTextProblem(s);
        if (problem !== undefined) throw new InvalidInputError(this.at(), problem);
        out.text(JSON.stringify(s));
        return;
      }
      case 4: {
        if (wt !== VARINT) throw new Irregular();
        const n = this.varint();
        if (n < 0 || this.pos !== end) throw new Irregular();
        if (top) this.feature = n !== 0;
        out.raw(n !== 0 ? literal.true : literal.false);
        return;
      }
      case 5:
        if (wt !== LEN) throw new Irregular();
        if (top) this.feature = {};
        this.struct(this.pos, end, depth);
        return;
      case 6:
        if (wt !== LEN) throw new Irregular();
        if (top) this.feature = [];
        this.list(this.pos, end, depth);
        return;
      default:
        throw new Irregular();
    }
  }

  private list(start: number, end: number, depth: number): void {
    if (depth >= this.limits.maxDepth) throw new InvalidInputError(this.at() || "body", `nested deeper than ${this.limits.maxDepth} levels`);
    this.pos = start;
    out.byte(LIST_OPEN);
    for (let i = 0; this.pos < end; i++) {
      const no = this.field(end);
      const itemEnd = this.to;
      if (no !== 1 || this.wt !== LEN) throw new Irregular();
      if (i > 0) out.byte(COMMA);
      this.path.push(i);
      this.value(this.pos, itemEnd, depth + 1);
      this.path.pop();
      this.pos = itemEnd;
    }
    out.byte(LIST_CLOSE);
  }
}
