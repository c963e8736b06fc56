import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { holdsStruct, structTypeName } from "../contract/holds-struct.js";

type Json = Record<string, unknown>;

/** What liftStructs took out: a Struct's JSON, or what it took out of a message or of each list item. */
export interface Lifted {
  field: DescField;
  struct?: unknown;
  inner?: Lifted[];
  items?: Array<Lifted[] | undefined>;
}

// Not through maps, nor through the other well-known types (Value holds a Struct, but its JSON is any value).
const liftable = (f: DescField) => f.fieldKind !== "map" && (f.message!.typeName === structTypeName || !f.message!.typeName.startsWith("google.protobuf."));
const plans = new WeakMap<DescMessage, DescField[]>();

/**
 * Takes the JSON of every google.protobuf.Struct field out of a request before
 * fromJson; putStructsBack puts it on the decoded message. A Struct's JSON is
 * already the JsonObject protobuf-es would hand us, but fromJson builds a
 * message per value and converts it back, which was the largest cost of the
 * REST batch path. The body parser has already refused what a Struct cannot
 * hold (the values come from JSON.parse).
 */
export function liftStructs(schema: DescMessage, json: Json): Lifted[] | undefined {
  let lifted: Lifted[] | undefined;
  for (const field of planOf(schema)) {
    const value = json[field.jsonName] ?? json[field.name];
    if (value === undefined || value === null || typeof value !== "object") continue;
    const sub = field.message!;
    let entry: Lifted | undefined;
    if (sub.typeName === structTypeName) {
      if (Array.isArray(value)) continue; // fromJson reports it
      delete json[field.jsonName];
      delete json[field.name];
      entry = { field, struct: value };
    } else if (field.fieldKind === "list" && Array.isArray(value)) {
      entry = { field, items: value.map((item) => (isObject(item) ? liftStructs(sub, item) : undefined)) };
    } else if (field.fieldKind === "message" && isObject(value)) {
      entry = { field, inner: liftStructs(sub, value) };
    }
    if (entry) (lifted ??= []).push(entry);
  }
  return lifted;
}

export function putStructsBack(message: Json, lifted: Lifted[] | undefined): void {
  if (!lifted) return;
  for (const { field, struct, inner, items } of lifted) {
    const at = message[field.localName];
    if (struct !== undefined) message[field.localName] = struct;
    else if (inner) putStructsBack(at as Json, inner);
    else if (items)
      (at as Json[]).forEach((item, i) => {
        putStructsBack(item, items[i]);
      });
  }
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The message-typed fields (singular or repeated, not maps) that are or hold a Struct. */
function planOf(schema: DescMessage): DescField[] {
  let plan = plans.get(schema);
  if (!plan) {
    plan = schema.fields.filter((f) => (f.fieldKind === "message" || f.fieldKind === "list") && f.message && holdsStruct(f.message, liftable));
    plans.set(schema, plan);
  }
  return plan;
}
