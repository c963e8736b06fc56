import type http from "node:http";
import type http2 from "node:http2";
import type { JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import type { UniversalServerRequest } from "@connectrpc/connect/protocol";
import { webHeaders } from "../http/web-headers.js";

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

/**
 * The request Connect's handlers take, made from Node's. connect-node's
 * universalRequestFromNodeRequest does the same but aborts every request's
 * signal when its stream closes, answered or not: a DOMException (with a stack
 * trace) per call, the largest single cost in profiles of small unary gRPC
 * calls. Here the signal aborts only when the client went away before the
 * answer was complete, which is all an implementation may act on. The body
 * goes to Connect as Node's own async iterable (no extra generator).
 */
export function universalRequestOf(
  req: NodeRequest,
  res: NodeResponse,
  parsedJsonBody: JsonValue | undefined,
  contextValues: ContextValues,
): UniversalServerRequest {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableEnded) controller.abort(new ConnectError("the client went away before the answer", Code.Canceled));
  });
  return {
    httpVersion: req.httpVersion,
    method: req.method ?? "",
    url: absoluteUrl(req),
    header: webHeaders(req.headers),
    body: parsedJsonBody !== undefined ? parsedJsonBody : (req as AsyncIterable<Uint8Array>),
    signal: controller.signal,
    contextValues,
  };
}

const plainAuthority = /^([\w.-]+|\[[\d:a-f.]+\])(:\d+)?$/i;

function absoluteUrl(req: NodeRequest): string {
  const scheme = "encrypted" in req.socket && req.socket.encrypted ? "https" : "http";
  const authority = ("authority" in req ? req.authority : req.headers.host) || "localhost";
  const path = req.url ?? "/";
  // Node gives origin-form paths ("/pkg.Service/Method?x") and plain hosts; anything else is normalized by URL.
  const plain = path.startsWith("/") && plainAuthority.test(authority);
  return plain ? `${scheme}://${authority}${path}` : new URL(path, `${scheme}://${authority}`).toString();
}
