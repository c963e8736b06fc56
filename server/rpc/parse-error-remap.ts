import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";

const gRpcInternal = "13";
const gRpcInvalidArgument = "3";
const isParseError = (message: string) => message.startsWith("parse binary");

/**
 * connect-es reports protobuf bytes it cannot decode as INTERNAL; for us
 * they are the client's bad input. Rewrites that one case to
 * INVALID_ARGUMENT for Connect unary (HTTP 400) and gRPC (trailer status).
 */
export function remapParseErrors(handler: UniversalHandler): UniversalHandler {
  const wrapped = async (req: Parameters<UniversalHandler>[0]): Promise<UniversalServerResponse> => {
    const res = await handler(req);
    if (res.status === 500 && res.body && Symbol.asyncIterator in res.body) return remapConnectUnary(res);
    if (res.trailer && res.body && Symbol.asyncIterator in res.body) return remapGrpcTrailer(res);
    return res;
  };
  return Object.assign(wrapped, handler);
}

async function remapConnectUnary(res: UniversalServerResponse): Promise<UniversalServerResponse> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  let body = Buffer.concat(chunks);
  let status = res.status;
  try {
    const err = JSON.parse(body.toString()) as { code?: string; message?: string };
    if (err.code === "internal" && isParseError(err.message ?? "")) {
      status = 400;
      body = Buffer.from(JSON.stringify({ code: "invalid_argument", message: `request body ${err.message}` }));
      res.header?.set("content-length", String(body.byteLength));
    }
  } catch {
    // compressed or not JSON: leave it as it is
  }
  return {
    ...res,
    status,
    body: (async function* () {
      yield new Uint8Array(body);
    })(),
  };
}

function remapGrpcTrailer(res: UniversalServerResponse): UniversalServerResponse {
  const body = res.body as AsyncIterable<Uint8Array>;
  const trailer = res.trailer!;
  return {
    ...res,
    body: (async function* () {
      yield* body;
      // The trailer is written after the body, so it can still be corrected here.
      const message = decodeURIComponent(trailer.get("grpc-message") ?? "");
      if (trailer.get("grpc-status") === gRpcInternal && isParseError(message)) {
        trailer.set("grpc-status", gRpcInvalidArgument);
        trailer.set("grpc-message", encodeURIComponent(`request body ${message}`));
      }
    })(),
  };
}
