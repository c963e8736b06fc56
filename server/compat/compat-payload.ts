import type { FastifyRequest } from "fastify";
import { checkJson } from "../../capture/json-limits.js";
import { InvalidInputError, TooLargeError } from "../../core/errors/domain-errors.js";
import { decompressBody } from "../http/body-decompression.js";
import { decompressLzBase64 } from "./lz-string-decode.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const limits = { maxDepth: 16, maxKeyLength: 256 };
const base64Text = /^[A-Za-z0-9+/_-]*={0,2}$/;

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * The JSON a PostHog or Segment client sent, however it wrapped it: gzip (by
 * Content-Encoding, by `compression=gzip`/`gzip-js`, or by its magic bytes:
 * posthog-js sends gzip as text/plain with no other sign), a `data=` form
 * (or GET `?data=`; PostHog's clients only: `forms`), base64, lz-string
 * (`compression=lz64`). Every
 * decompression stops at `maxBytes` (a bomb is a 413 before it is read
 * whole), and the JSON is checked as the native API's bodies are (strict
 * UTF-8, depth, key lengths). Errors name the body or the parameter.
 */
export async function compatPayload(req: FastifyRequest, maxBytes: number, opts: { forms: boolean }): Promise<unknown> {
  const query = (req.query ?? {}) as Record<string, unknown>;
  let compression = typeof query.compression === "string" ? query.compression.toLowerCase() : "";
  let bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const contentType = String(req.headers["content-type"] ?? "").toLowerCase();

  const encoding = req.headers["content-encoding"];
  if (typeof encoding === "string" && encoding.trim() !== "" && encoding.trim().toLowerCase() !== "identity") {
    bytes = await decompressBody(bytes, encoding, maxBytes);
  }
  const form =
    opts.forms &&
    (bytes.subarray(0, 5).toString("latin1") === "data=" ||
      (contentType.startsWith("application/x-www-form-urlencoded") && !/^\s*[[{]/.test(bytes.subarray(0, 64).toString("latin1"))));
  if (form) {
    const fields = new URLSearchParams(text(bytes));
    const data = fields.get("data");
    if (data === null) throw new InvalidInputError("data", "is missing from the form body");
    compression = (fields.get("compression") ?? compression).toLowerCase();
    bytes = Buffer.from(data, "utf8");
  } else if (bytes.length === 0 && typeof query.data === "string") {
    bytes = Buffer.from(query.data, "utf8"); // GET ?data=
  }
  if (bytes.length === 0) throw new InvalidInputError("body", "is empty (send the events as JSON)");
  if (compression === "gzip" || compression === "gzip-js" || isGzip(bytes)) bytes = await decompressBody(bytes, "gzip", maxBytes);

  let json = text(bytes);
  if (compression === "lz64" || compression === "lz-string") {
    const decoded = decompressLzBase64(json.trim(), maxBytes);
    if (decoded === undefined) throw new InvalidInputError("body", "is not lz-string (lz64) data");
    json = decoded;
  } else if (!/^\s*[[{]/.test(json)) {
    json = fromBase64(json, maxBytes); // compression=base64, or a client that did not say
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InvalidInputError("body", "is not valid JSON (after decoding)");
  }
  if (value === null || typeof value !== "object") throw new InvalidInputError("body", "must be a JSON object or array");
  checkJson(value as never, "", limits, false);
  return value;
}

function text(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InvalidInputError("body", "is not valid UTF-8");
  }
}

function fromBase64(data: string, maxBytes: number): string {
  const compact = data.replace(/\s+/g, "");
  if (!base64Text.test(compact)) throw new InvalidInputError("body", "is neither JSON nor base64");
  const bytes = Buffer.from(compact, "base64");
  if (isGzip(bytes)) throw new InvalidInputError("body", "holds gzip inside base64: send gzip as it is");
  if (bytes.length > maxBytes) throw new TooLargeError("body", `decoded, the request body is larger than the configured limit (${maxBytes} bytes)`);
  return text(bytes);
}
