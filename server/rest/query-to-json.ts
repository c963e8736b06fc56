import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import { InvalidInputError } from "../../core/errors/domain-errors.js";

const integerTypes = new Set([
  ScalarType.INT32,
  ScalarType.SINT32,
  ScalarType.SFIXED32,
  ScalarType.UINT32,
  ScalarType.FIXED32,
  ScalarType.INT64,
  ScalarType.SINT64,
  ScalarType.SFIXED64,
  ScalarType.UINT64,
  ScalarType.FIXED64,
]);
const floatTypes = new Set([ScalarType.DOUBLE, ScalarType.FLOAT]);

/**
 * Turns query-string (and path) parameters into the proto3 JSON form of the
 * request message, as google.api.http prescribes for fields not bound to the
 * body. Values are checked strictly here ("30abc" is not a number) so the error
 * names the parameter. Unknown parameters are ignored.
 */
export function queryToJson(schema: DescMessage, params: Record<string, string | string[] | undefined>) {
  const json: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined) continue;
    const field = schema.fields.find((f) => f.jsonName === name || f.name === name);
    if (!field || field.fieldKind === "message" || field.fieldKind === "map") continue;
    const values = Array.isArray(raw) ? raw : [raw];
    if (field.fieldKind === "list") json[field.jsonName] = values.map((v) => scalarValue(field, v));
    else json[field.jsonName] = scalarValue(field, values[values.length - 1]);
  }
  return json;
}

function scalarValue(field: DescField, v: string): unknown {
  const name = field.jsonName;
  if (field.fieldKind === "enum") return v;
  const scalar = field.scalar;
  if (scalar === undefined || scalar === ScalarType.STRING || scalar === ScalarType.BYTES) return v;
  if (scalar === ScalarType.BOOL) {
    if (v === "true" || v === "false") return v === "true";
    throw new InvalidInputError(name, `must be true or false, got "${clip(v)}"`);
  }
  if (integerTypes.has(scalar)) {
    if (!/^-?\d{1,19}$/.test(v)) throw new InvalidInputError(name, `must be an integer, got "${clip(v)}"`);
    return Number(v);
  }
  if (floatTypes.has(scalar)) {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) throw new InvalidInputError(name, `must be a number, got "${clip(v)}"`);
    return n;
  }
  return v;
}

function clip(v: string): string {
  return v.length > 40 ? `${v.slice(0, 40)}…` : v;
}
