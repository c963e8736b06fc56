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
 * names the parameter as the caller spelled it. A parameter the route does not
 * take, or a single-valued one given twice, is refused rather than ignored:
 * `dau?day=7` silently answering for 30 days is worse than a 400.
 * `allowed` names parameters read elsewhere (credentials); `fromPath` holds the
 * fields the path already gave, which the query string may not give again.
 */
export function queryToJson(
  schema: DescMessage,
  params: Record<string, string | string[] | undefined>,
  opts: { allowed?: ReadonlySet<string>; fromPath?: Record<string, unknown> } = {},
) {
  const json: Record<string, unknown> = {};
  const allowed = opts.allowed ?? noExtras;
  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined || allowed.has(name)) continue;
    const field = schema.fields.find((f) => f.jsonName === name || f.name === name);
    if (!field || field.fieldKind === "map" || (field.fieldKind === "message" && !isJsonList(field))) {
      throw new InvalidInputError(name, `is not a parameter of this route (it takes ${parameterNames(schema)})`);
    }
    if (opts.fromPath?.[field.jsonName] !== undefined) throw new InvalidInputError(name, "is given in the path already");
    if (json[field.jsonName] !== undefined) throw new InvalidInputError(name, `is given twice (as ${field.name} and ${field.jsonName})`);
    const values = Array.isArray(raw) ? raw : [raw];
    if (isJsonList(field)) json[field.jsonName] = jsonList(name, values);
    else if (field.fieldKind === "list") json[field.jsonName] = values.map((v) => scalarValue(field, name, v));
    else if (values.length > 1) throw new InvalidInputError(name, "is given more than once");
    else json[field.jsonName] = scalarValue(field, name, values[0]);
  }
  return json;
}

const noExtras: ReadonlySet<string> = new Set();

/** A list of messages (filters) travels in a query string as one JSON array, as PostHog's `properties=[…]` does. */
function isJsonList(field: DescField): boolean {
  return field.fieldKind === "list" && field.listKind === "message";
}

function jsonList(name: string, values: string[]): unknown {
  if (values.length > 1) throw new InvalidInputError(name, "is given more than once (send one JSON array)");
  try {
    const parsed: unknown = JSON.parse(values[0]);
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw new InvalidInputError(name, "must be a JSON array");
}

function parameterNames(schema: DescMessage): string {
  const names = schema.fields.filter((f) => f.fieldKind !== "map" && (f.fieldKind !== "message" || isJsonList(f))).map((f) => f.name);
  return names.length === 0 ? "none" : names.join(" ");
}

function scalarValue(field: DescField, name: string, v: string): unknown {
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
