import type { DescMessage } from "@bufbuild/protobuf";
import { InvalidInputError, TooLargeError } from "../../core/errors/domain-errors.js";

/**
 * A domain error names a request field by its JSON name (`startEvent`); a REST
 * caller wrote `start_event` in the URL. The field is renamed to the spelling
 * the caller used, or the proto name the REST paths document when the caller
 * did not write it (a missing required parameter).
 */
export function spelledAsWritten(e: unknown, schema: DescMessage, written: Iterable<string>): unknown {
  if (!(e instanceof InvalidInputError || e instanceof TooLargeError)) return e;
  const head = /^[^.[]+/.exec(e.field)?.[0] ?? e.field;
  const field = schema.fields.find((f) => f.jsonName === head);
  if (!field) return e;
  const spelled = [...written].find((w) => w === field.name || w === field.jsonName) ?? field.name;
  if (spelled === head) return e;
  const renamed = spelled + e.field.slice(head.length);
  const reason = e.message.startsWith(e.field) ? e.message.slice(e.field.length + 1) : e.message;
  return e instanceof TooLargeError ? new TooLargeError(renamed, reason) : new InvalidInputError(renamed, reason);
}
