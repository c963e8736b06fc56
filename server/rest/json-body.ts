import type { FastifyRequest } from "fastify";
import { checkJson } from "../../capture/json-limits.js";
import { InvalidInputError } from "../../core/errors/domain-errors.js";
import { decompressBody } from "../http/body-decompression.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const bodyLimits = { maxDepth: 16, maxKeyLength: 256 };

/**
 * Fastify body parser for the REST routes and Connect's unary JSON. Undoes
 * the Content-Encoding (into at most `maxBytes`), decodes UTF-8 strictly (a lenient
 * decoder would store U+FFFD silently), parses JSON, and refuses
 * prototype-polluting keys and hostile nesting anywhere in the body. Any
 * content type is read as JSON: `sendBeacon` can only send CORS-safe types
 * such as text/plain.
 */
export function jsonBodyParser(maxBytes: number) {
  return (req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    const encoding = req.headers["content-encoding"];
    if (encoding !== undefined) {
      // A zip bomb is a 413.
      decompressBody(body, encoding, maxBytes)
        .then(decodeJsonBody)
        .then(
          (json) => done(null, json),
          (e) => done(e as Error),
        );
      return;
    }
    try {
      done(null, decodeJsonBody(body));
    } catch (e) {
      done(e as Error);
    }
  };
}

function decodeJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new InvalidInputError("body", "is empty (send a JSON object)");
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new InvalidInputError("body", "is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new InvalidInputError("body", at ? `is not valid JSON (error near position ${at})` : "is not valid JSON");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new InvalidInputError("body", "must be a JSON object");
  }
  // Keys and nesting anywhere in the body; text is checked where it is used (the validator).
  checkJson(json as never, "", bodyLimits, false);
  return json;
}
