import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import { InvalidInputError } from "../../core/errors/domain-errors.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks that each JSON value has the kind its proto field needs before
 * protobuf-es decodes it, so a wrong type is reported with the field's path
 * ("events[2].properties must be a JSON object") rather than a type name.
 */
export function checkJsonShape(schema: DescMessage, json: Record<string, unknown>, path = ""): void {
  for (const field of schema.fields) {
    const value = json[field.jsonName] ?? json[field.name];
    if (value === undefined || value === null) continue;
    const at = path === "" ? field.jsonName : `${path}.${field.jsonName}`;
    if (field.fieldKind === "list") {
      if (!Array.isArray(value)) throw new InvalidInputError(at, "must be an array");
      for (let i = 0; i < value.length; i++) checkItem(field, value[i], `${at}[${i}]`);
    } else if (field.fieldKind === "map") {
      if (!isObject(value)) throw new InvalidInputError(at, "must be a JSON object");
    } else {
      checkItem(field, value, at);
    }
  }
}

function checkItem(field: DescField, value: unknown, at: string): void {
  if (field.message) {
    checkMessage(field.message, value, at);
    return;
  }
  if (field.enum || value === null) return;
  const scalar = field.scalar;
  if (scalar === ScalarType.STRING || scalar === ScalarType.BYTES) {
    if (typeof value !== "string") throw new InvalidInputError(at, "must be a string");
  } else if (scalar === ScalarType.BOOL) {
    if (typeof value !== "boolean") throw new InvalidInputError(at, "must be true or false");
  } else if (typeof value !== "number" && typeof value !== "string") {
    throw new InvalidInputError(at, "must be a number");
  }
}

function checkMessage(message: DescMessage, value: unknown, at: string): void {
  switch (message.typeName) {
    case "google.protobuf.Struct":
      if (!isObject(value)) throw new InvalidInputError(at, "must be a JSON object");
      return;
    case "google.protobuf.Value":
    case "google.protobuf.ListValue":
      return;
    default:
      if (message.typeName.startsWith("google.protobuf.")) return; // other well-known types have their own JSON forms
      if (!isObject(value)) throw new InvalidInputError(at, "must be a JSON object");
      checkJsonShape(message, value, at);
  }
}
