import { create, type JsonObject, type JsonValue, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { CaptureEventsRequestSchema, CaptureRequestSchema } from "../../gen/insightplus/v1/capture_service_pb.js";
import { EventSchema } from "../../gen/insightplus/v1/event_pb.js";

import { bytes, len, readVarint, receivedAt, structOf, utf8, varint } from "./binary-view-paths.js";

// Random capture requests, encoded by protobuf-es and then bent at the wire level (for test/server/binary-view.test.ts).

// ---- random requests ----
const pieces = [
  "a",
  "Z",
  "7",
  " ",
  "_",
  "-",
  ":",
  "/",
  '"',
  "\\",
  "\n",
  "\t",
  "\u0000",
  "\u0001",
  "\u007f",
  "é",
  "ü",
  "✓",
  "\u2028",
  "\uFFFD",
  "\uFEFF",
  "😀",
  "中",
  "\uD800",
];
export const text = fc.array(fc.constantFrom(...pieces), { maxLength: 10 }).map((a) => a.join(""));
const anyText = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("page_view", "u1", "feature", "x", "") },
  { weight: 4, arbitrary: text },
  { weight: 1, arbitrary: text.map((s) => `\uFEFF${s}`) }, // protobuf-es drops a leading BOM
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
export const keys = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("path", "plan", "feature", "screen", "a", "b", "é", "") },
  { weight: 2, arbitrary: fc.constantFrom("0", "1", "12", "4294967294", "4294967295", "01", "-1", "1.5") }, // JavaScript orders index keys first
  { weight: 1, arbitrary: fc.constantFrom("constructor", "prototype", "k".repeat(257)) },
  { weight: 3, arbitrary: anyText.filter((k) => k !== "__proto__") }, // __proto__: see the test below
);
export const numbers = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 0, 1e21, 1.5, -2.25e-7, 2 ** 53 + 2, Number.MAX_VALUE, 5e-324, Number.NaN));
export const { value: jsonValue } = fc.letrec<{ value: JsonValue; list: JsonValue[]; struct: JsonObject }>((tie) => ({
  value: fc.oneof({ depthSize: "small" }, numbers, anyText, fc.boolean(), fc.constant(null), tie("list"), tie("struct")),
  list: fc.array(tie("value"), { maxLength: 4 }),
  struct: fc.dictionary(keys, tie("value"), { maxKeys: 5, noNullPrototype: true }),
}));
const nested = (depth: number, leaf: JsonValue): JsonObject => (depth === 0 ? { a: leaf } : { a: nested(depth - 1, leaf) });
export const properties: fc.Arbitrary<JsonObject | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 8, arbitrary: fc.dictionary(keys, jsonValue, { maxKeys: 6, noNullPrototype: true }) },
  { weight: 1, arbitrary: fc.integer({ min: 7, max: 12 }).map((d) => nested(d, 1)) }, // about the depth limit
  { weight: 1, arbitrary: fc.constant({ blob: "x".repeat(33_000) }) }, // over maxEventBytes
);
const iso = fc.integer({ min: -3 * 86_400_000, max: 86_400_000 }).map((d) => new Date(receivedAt + d).toISOString());
const times = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  { weight: 4, arbitrary: iso },
  { weight: 1, arbitrary: iso.map((s) => s.replace("Z", "+05:30")) },
  { weight: 1, arbitrary: fc.constantFrom("yesterday", "3000-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2024-02-30T10:00:00Z") },
);
const uuids = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.constantFrom("", "not-a-uuid"),
);
const eventNames = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("page_view", "most_used_feature", "signup") },
  { weight: 3, arbitrary: anyText },
  { weight: 1, arbitrary: fc.constant("e".repeat(201)) },
);
const eventFields = fc.record({
  event: eventNames,
  distinctId: anyText,
  properties,
  timestamp: times,
  uuid: uuids,
  sentAt: times,
});

// Wire-level bends of one event's (or CaptureRequest's) bytes: what clients may legally send, and what hostile ones send.
const badUtf8 = fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]);
const withBadBytes = fc.tuple(anyText, badUtf8, anyText).map(([a, bad, b]) => bytes(utf8(a), bad, utf8(b)));
const unknownField = fc.oneof(
  fc.tuple(fc.integer({ min: 7, max: 2 ** 29 - 1 }), fc.nat()).map(([no, v]) => bytes(varint(no * 8), varint(v))),
  fc.integer({ min: 7, max: 1000 }).map((no) => bytes(varint(no * 8 + 1), [1, 2, 3, 4, 5, 6, 7, 8])),
  fc.tuple(fc.integer({ min: 7, max: 1000 }), withBadBytes).map(([no, b]) => len(no, b)),
  fc.integer({ min: 7, max: 1000 }).map((no) => bytes(varint(no * 8 + 5), [1, 2, 3, 4])),
  fc.integer({ min: 7, max: 1000 }).map((no) => bytes(varint(no * 8 + 3), varint(no * 8 + 4))), // a group
  fc.integer({ min: 7, max: 1000 }).map((no) => bytes(varint(no * 8 + 3), varint((no + 1) * 8 + 4))), // a group ended wrongly
  fc.constantFrom(bytes([0x0c]), bytes([0x0e]), bytes([0x02, 0x00])), // a lone end-group, wire type 6, field 0
);
// A Struct occurrence bent inside: bad UTF-8 in a key or string (maybe nested), unknown fields where Struct, entry, Value or ListValue are read, cut short, nested past the recursion limit, the same key twice.
export const entry = (key: ArrayLike<number>, value: ArrayLike<number>) => len(1, bytes(len(1, key), len(2, value)));
const bentStruct = fc.oneof(
  fc.tuple(withBadBytes, jsonValue).map(([k, v]) => entry(k, valueBytes(v))),
  withBadBytes.map((s) => entry(utf8("k"), len(3, s))),
  withBadBytes.map((s) => entry(utf8("n"), len(5, entry(utf8("k"), len(6, len(1, len(3, s))))))),
  fc.tuple(fc.dictionary(keys, jsonValue, { maxKeys: 3, noNullPrototype: true }), unknownField).map(([o, u]) => bytes(structOf(o), u)),
  unknownField.map((u) => len(1, bytes(len(1, utf8("k")), u, len(2, valueBytes(1))))),
  unknownField.map((u) => entry(utf8("k"), bytes(valueBytes("v"), u))),
  unknownField.map((u) => entry(utf8("l"), len(6, bytes(len(1, valueBytes(true)), u)))),
  fc.tuple(fc.dictionary(keys, jsonValue, { minKeys: 1, maxKeys: 4, noNullPrototype: true }), fc.nat()).map(([o, n]) => {
    const s = structOf(o);
    return s.subarray(0, n % Math.max(1, s.length));
  }),
  fc.integer({ min: 40, max: 60 }).map((d) => structOf(nested(d, "deep"))),
  fc.tuple(keys, jsonValue, jsonValue).map(([k, a, b]) => bytes(structOf({ [k]: a }), structOf({ x: 1 }), structOf({ [k]: b }))),
  fc.tuple(jsonValue, jsonValue).map(([a, b]) => entry(utf8("k"), bytes(valueBytes(a), valueBytes(b)))), // two kinds set
);
/** A Value's bytes (Struct {v: value}'s only entry's value). */
export function valueBytes(v: JsonValue): Uint8Array {
  const s = structOf({ v });
  const c = { pos: 1 };
  const n = readVarint(s, c); // the entry
  const e = s.subarray(c.pos, c.pos + n);
  const k = { pos: 1 };
  const keyLen = readVarint(e, k);
  const at = { pos: k.pos + keyLen + 1 };
  const vLen = readVarint(e, at);
  return e.subarray(at.pos, at.pos + vLen);
}

const stringFieldNo = fc.constantFrom(1, 2, 4, 5, 6);
type Bend = (wire: Uint8Array) => Uint8Array;
export const bends: fc.Arbitrary<{ name: string; bend: Bend }> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ name: "none", bend: (w: Uint8Array) => w }) },
  { weight: 2, arbitrary: eventFields.map((f) => ({ name: "two encodings concatenated", bend: (w: Uint8Array) => bytes(w, encodeEvent(f)) })) },
  {
    weight: 2,
    arbitrary: fc.dictionary(keys, jsonValue, { maxKeys: 3, noNullPrototype: true }).map((o) => ({
      name: "properties twice",
      bend: (w: Uint8Array) => bytes(w, len(3, structOf(o))),
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.dictionary(keys, jsonValue, { maxKeys: 3, noNullPrototype: true }), fc.dictionary(keys, jsonValue, { maxKeys: 3, noNullPrototype: true }))
      .map(([a, b]) => ({
        name: "repeated keys in one Struct",
        bend: (w: Uint8Array) => bytes(w, len(3, bytes(structOf(a), structOf(b)))),
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(stringFieldNo, withBadBytes)
      .map(([no, s]) => ({ name: "invalid UTF-8 in a string field", bend: (w: Uint8Array) => bytes(w, len(no, s)) })),
  },
  { weight: 3, arbitrary: bentStruct.map((s) => ({ name: "a bent Struct", bend: (w: Uint8Array) => bytes(w, len(3, s)) })) },
  { weight: 2, arbitrary: unknownField.map((u) => ({ name: "an unknown field", bend: (w: Uint8Array) => bytes(u, w, u) })) },
  {
    weight: 1,
    arbitrary: fc.tuple(stringFieldNo, anyText).map(([no, s]) => ({
      name: "a string field with another wire type",
      bend: (w: Uint8Array) => bytes(w, varint(no * 8), varint(utf8(s).length), utf8(s)),
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 2, max: 6 }), anyText).map(([n, s]) => ({
      name: "a tag of n bytes",
      bend: (w: Uint8Array) => bytes(w, [0x8a, ...Array(n - 2).fill(0x80), 0x00], varint(utf8(s).length), utf8(s)),
    })),
  },
  { weight: 1, arbitrary: fc.nat().map((n) => ({ name: "cut short", bend: (w: Uint8Array) => w.subarray(0, n % (w.length + 1)) })) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, x]) => ({
      name: "a byte changed",
      bend: (w: Uint8Array) => {
        const c = w.slice();
        if (c.length > 0) c[at % c.length] ^= x;
        return c;
      },
    })),
  },
);

function encodeEvent(f: { event: string; distinctId: string; properties?: JsonObject; timestamp: string; uuid: string; sentAt: string }): Uint8Array {
  return toBinary(EventSchema, create(EventSchema, f));
}
const bentEvent = fc.tuple(eventFields, fc.array(bends, { minLength: 1, maxLength: 2 })).map(([f, bs]) => ({
  wire: bs.reduce<Uint8Array>((w, b) => b.bend(w), encodeEvent(f)),
  bends: bs.map((b) => b.name),
}));

// A batch: events (each bent), sentAt, then maybe the whole request bent too.
const requestBends = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ name: "none", bend: (w: Uint8Array) => w }) },
  { weight: 1, arbitrary: fc.nat().map((n) => ({ name: "request cut short", bend: (w: Uint8Array) => w.subarray(0, n % (w.length + 1)) })) },
  { weight: 1, arbitrary: unknownField.map((u) => ({ name: "unknown request field", bend: (w: Uint8Array) => bytes(w, u) })) },
  { weight: 1, arbitrary: withBadBytes.map((s) => ({ name: "invalid UTF-8 in sentAt", bend: (w: Uint8Array) => bytes(w, len(2, s)) })) },
);
export const batch = fc
  .tuple(fc.array(bentEvent, { minLength: 1, maxLength: 5 }), times, fc.boolean(), requestBends, fc.option(times, { nil: undefined }))
  .map(([evs, sentAt, concat, rb, second]) => {
    const first = bytes(...evs.map((e) => len(1, e.wire)), sentAt ? len(2, utf8(sentAt)) : []);
    // Two encodings of the request concatenated: events append, sentAt (a scalar) last wins.
    const whole = concat
      ? bytes(
          first,
          toBinary(
            CaptureEventsRequestSchema,
            create(CaptureEventsRequestSchema, { events: [{ event: "page_view", distinctId: "u2" }], sentAt: second ?? "" }),
          ),
        )
      : first;
    return { wire: rb.bend(whole), bends: [...evs.flatMap((e) => e.bends), rb.name, ...(concat ? ["request concatenated"] : [])] };
  });
export const single = fc.tuple(eventFields, fc.array(bends, { minLength: 1, maxLength: 2 })).map(([f, bs]) => ({
  wire: bs.reduce<Uint8Array>((w, b) => b.bend(w), toBinary(CaptureRequestSchema, create(CaptureRequestSchema, f))),
  bends: bs.map((b) => b.name),
}));
