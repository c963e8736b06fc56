import { create, fromJson, type JsonObject, toBinary } from "@bufbuild/protobuf";
import { StructSchema, ValueSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { propertiesFromStructBytes } from "../../capture/struct-wire-json.js";
import { InvalidInputError } from "../../core/errors/domain-errors.js";

const limits = { maxDepth: 10, maxKeyLength: 256 };
const structBytes = (o: JsonObject) => toBinary(StructSchema, fromJson(StructSchema, o));
const read = (bytes: Uint8Array) => {
  const r = propertiesFromStructBytes(bytes, "properties", limits);
  return { ...r, json: r.json.toString() }; // text or UTF-8 bytes: compared as text
};
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidInputError) return e.field;
    throw e;
  }
  throw new Error("no error");
};

// Hand-built wire bytes, for what protobuf-es's writer will not produce.
const varint = (n: number) => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
};
const len = (field: number, body: number[]) => [...varint(field * 8 + 2), ...varint(body.length), ...body];
const utf8 = (s: string) => [...Buffer.from(s)];
const entry = (key: number[], value: number[]) => len(1, [...len(1, key), ...len(2, value)]);
const stringValue = (bytes: number[]) => len(3, bytes);

describe("Struct wire bytes to JSON text", () => {
  const objects: JsonObject[] = [
    {},
    { path: "/pricing", n: 1.5, neg: -0, big: 1e21, t: true, f: false, z: null },
    { screen: { width: 1440, height: 900 }, list: [1, "two", [3, { four: 4 }], [], {}], empty: "" },
    { "é✓ key": 'ünï\u2028cödé "quoted" \\ \n', feature: "export" },
    { a: { a: { a: { a: { a: { a: { a: { a: { a: 1 } } } } } } } } },
  ];
  it.each(objects)("gives the JSON the generic decoder gives (%#)", (o) => {
    const r = read(structBytes(o));
    expect(JSON.parse(r.json)).toEqual(JSON.parse(JSON.stringify(o)));
    expect(r.feature).toEqual(o.feature);
  });

  it("writes the text JSON.stringify writes, escapes and all", () => {
    const o = { plain: "abc ~!", esc: 'q"b\\s/\t\u0001\u007f', uni: "ünï✓😀\u2028", n: -12.5e-7, t: true, nil: null, nested: { l: ["x", 1, false] } };
    expect(read(structBytes(o)).json).toBe(JSON.stringify(o));
  });

  it("writes properties larger than its first scratch buffer", () => {
    const o = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`key${i}`, "v".repeat(100 + i)]));
    const r = read(structBytes(o));
    expect(r.json).toBe(JSON.stringify(o)); // 400 keys: past the array scan, into the Set
  });

  it("leaves a repeated key beyond the scanned first keys, and a Value sent twice, to the generic decoder", () => {
    const first = Array.from({ length: 20 }, (_, i) => entry(utf8(`k${i}`), stringValue(utf8("a")))).flat();
    const again = [...first, ...entry(utf8("k3"), stringValue(utf8("b")))];
    expect(JSON.parse(read(new Uint8Array(again)).json).k3).toBe("b");
    const twice = len(1, [...len(1, utf8("k")), ...len(2, stringValue(utf8("a"))), ...len(2, stringValue(utf8("b")))]);
    expect(JSON.parse(read(new Uint8Array(twice)).json)).toEqual({ k: "b" });
  });

  it("reads empty bytes as an empty object", () => {
    expect(read(new Uint8Array(0))).toEqual({ json: "{}", feature: undefined });
  });

  it("applies the JSON limits, naming the field", () => {
    const deep: JsonObject = {};
    let at = deep;
    for (let i = 0; i < 12; i++) at = at.a = {} as JsonObject;
    expect(fieldOf(() => read(structBytes(deep)))).toBe("properties.a.a.a.a.a.a.a.a.a.a");
    expect(fieldOf(() => read(structBytes({ constructor: 1 })))).toBe("properties.constructor");
    expect(fieldOf(() => read(new Uint8Array(entry(utf8("__proto__"), stringValue(utf8("x"))))))).toBe("properties.__proto__");
    expect(fieldOf(() => read(structBytes({ ["k".repeat(300)]: 1 })))).toBe("properties");
    expect(fieldOf(() => read(structBytes({ s: "nul\u0000" })))).toBe("properties.s");
    expect(fieldOf(() => read(new Uint8Array(entry(utf8("s"), stringValue([0x61, 0xff, 0x62])))))).toBe("properties.s");
    expect(fieldOf(() => read(new Uint8Array(entry([0xc3, 0x28], stringValue(utf8("x"))))))).toMatch(/\(key\)$/);
    const nan = toBinary(StructSchema, create(StructSchema, { fields: { x: create(ValueSchema, { kind: { case: "numberValue", value: NaN } }) } }));
    expect(fieldOf(() => read(nan))).toBe("properties.x");
  });

  it("lets the last of repeated keys win, as protobuf maps do", () => {
    const bytes = [...entry(utf8("plan"), stringValue(utf8("free"))), ...entry(utf8("plan"), stringValue(utf8("team")))];
    expect(JSON.parse(read(new Uint8Array(bytes)).json)).toEqual({ plan: "team" });
    // The generic reader (taken for repeated keys) reads an entry without a value as null too.
    const withEmpty = [...bytes, ...len(1, len(1, utf8("k")))];
    expect(JSON.parse(read(new Uint8Array(withEmpty)).json)).toEqual({ plan: "team", k: null });
  });

  it("stays linear with many keys (a hostile request of 70,000 keys)", () => {
    const many = Array.from({ length: 70_000 }, (_, i) => len(1, len(1, utf8(`k${i}`)))).flat();
    // A quadratic repeated-key check took minutes here and failed on the test timeout; no timed assertion.
    const r = read(new Uint8Array(many));
    expect(Object.keys(JSON.parse(r.json))).toHaveLength(70_000);
  });

  it("reads an entry without a value as null, and refuses bytes that are not a Struct", () => {
    expect(JSON.parse(read(new Uint8Array(len(1, len(1, utf8("k"))))).json)).toEqual({ k: null });
    expect(fieldOf(() => read(new Uint8Array([0x0a, 0x7f, 0x01])))).toBe("properties");
  });
});
