import { fromBinary, isMessage, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { type Struct, StructSchema, type Value, ValueSchema } from "@bufbuild/protobuf/wkt";

/** A Struct's wire bytes as protobuf-es's generic decoder reads them, as JSON; undefined when it cannot read them. */
export function genericProperties(bytes: Uint8Array): JsonObject | undefined {
  try {
    return structJson(fromBinary(StructSchema, bytes));
  } catch {
    return undefined;
  }
}

/**
 * The JsonObject protobuf-es makes of a Struct field (its wktStructToLocal),
 * except for `__proto__`: protobuf-es's map object took that key as its
 * prototype, so it is kept here as an own key, for checkJson to refuse.
 */
function structJson(s: Struct): JsonObject {
  const json: JsonObject = {};
  const hidden: unknown = Object.getPrototypeOf(s.fields);
  if (hidden !== Object.prototype && isMessage(hidden, ValueSchema)) {
    Object.defineProperty(json, "__proto__", { value: valueJson(hidden), enumerable: true, writable: true, configurable: true });
  }
  for (const [k, v] of Object.entries(s.fields)) json[k] = valueJson(v);
  return json;
}

function valueJson(v: Value): JsonValue {
  switch (v.kind.case) {
    case "structValue":
      return structJson(v.kind.value);
    case "listValue":
      return v.kind.value.values.map(valueJson);
    case "nullValue":
    case undefined:
      return null; // a Value with no kind is null there too
    default:
      return v.kind.value;
  }
}
