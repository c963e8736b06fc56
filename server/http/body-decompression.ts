import { promisify } from "node:util";
import zlib from "node:zlib";
import { InvalidInputError, TooLargeError } from "../../core/errors/domain-errors.js";

const decoders: Record<string, (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  "x-gzip": promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress) as (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>,
};

/** The request encodings named in the error (Connect and gRPC read their own headers). */
const requestEncodings = ["br", "gzip", "deflate"] as const;

/**
 * A request body as sent, decompressed by its Content-Encoding into at most
 * `maxBytes` (a small body may not expand past the request limit: a zip bomb
 * is a 413, not an out-of-memory). The REST and Connect JSON parsers both
 * call it, so every protocol decompresses the same way.
 */
export async function decompressBody(body: Buffer, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const name = encoding?.trim().toLowerCase();
  if (name === undefined || name === "" || name === "identity") return body;
  const decode = decoders[name];
  if (!decode) throw unsupportedEncoding(name);
  try {
    return await decode(body, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) {
      throw new TooLargeError("body", `decompressed, the request body is larger than the configured limit (${maxBytes} bytes)`);
    }
    throw new InvalidInputError("body", `is not valid ${name} data`);
  }
}

function unsupportedEncoding(name: string): InvalidInputError {
  return new InvalidInputError("content-encoding", `"${name.slice(0, 40)}" is not supported (use ${requestEncodings.join(", ")} or none)`);
}
