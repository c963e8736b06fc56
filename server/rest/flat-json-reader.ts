import { type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { structTypeName } from "../contract/holds-struct.js";

type Json = Record<string, unknown>;

/**
 * A reader for the JSON of a message whose fields are all strings, plus
 * Structs that liftStructs has already taken out (CaptureRequest), built from
 * its descriptor: fromJson's reflection cost more than the rest of the REST
 * handler on the single-event path. It returns undefined, and the caller uses
 * fromJson, for anything but plain well-formed strings (null, other types, a
 * Struct left in place), so answers and errors never differ. Unknown keys are
 * ignored, as fromJson is told to. Undefined when the message is not flat.
 */
export function createFlatJsonReader(desc: DescMessage): ((json: Json) => Json | undefined) | undefined {
  const byName = new Map<string, string>(); // JSON name and proto name → property
  const others = new Set<string>(); // the Struct fields' names: present after lifting means fromJson must look
  const zero: Json = { $typeName: desc.typeName };
  for (const f of desc.fields) {
    if (f.oneof) return undefined;
    if (f.fieldKind === "scalar" && f.scalar === ScalarType.STRING && f.presence === FeatureSet_FieldPresence.IMPLICIT) {
      byName.set(f.jsonName, f.localName).set(f.name, f.localName);
      zero[f.localName] = "";
    } else if (f.fieldKind === "message" && f.message.typeName === structTypeName) {
      others.add(f.jsonName).add(f.name);
      zero[f.localName] = undefined;
    } else return undefined;
  }
  return (json) => {
    const out: Json = { ...zero };
    for (const key in json) {
      const name = byName.get(key);
      if (name === undefined) {
        if (others.has(key)) return undefined;
        continue;
      }
      const value = json[key];
      if (typeof value !== "string" || !value.isWellFormed()) return undefined;
      out[name] = value;
    }
    return out;
  };
}
