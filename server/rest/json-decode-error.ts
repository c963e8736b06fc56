import { InvalidInputError } from "../../core/errors/domain-errors.js";

/**
 * Rewrites protobuf-es's JSON decoding error ("cannot decode field
 * insightplus.v1.CaptureRequest.distinct_id from JSON: 123") into one that
 * names the field as clients spell it ("distinctId").
 */
export function jsonDecodeError(e: unknown): InvalidInputError {
  const message = e instanceof Error ? e.message : String(e);
  const m = /cannot decode (?:field )?([\w.]+) from JSON: (.*)$/s.exec(message);
  if (!m) return new InvalidInputError("body", message);
  const protoName = m[1].split(".").pop() ?? m[1];
  const isField = message.includes("cannot decode field ");
  const field = isField ? protoName.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : "body";
  return new InvalidInputError(field, `has an invalid value (${m[2].slice(0, 80)})`);
}
