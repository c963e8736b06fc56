import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny HTTP proxy in front of the real API server that can answer 503
 * (with Retry-After and CORS headers, as the server does) instead of
 * forwarding: a server that is overloaded or has lost Redis, then recovers.
 */
export interface FlakyProxy {
  url: string;
  /** Answer the next n batch/capture requests with 503, then forward again. */
  failNext(n: number, retryAfterSeconds?: number): void;
  /** Answer every request with 503 until up() (a long outage). */
  down(retryAfterSeconds?: number): void;
  up(): void;
  /** Requests to /api/v1/* seen, by how they were answered; `all` counts every request. */
  stats: { forwarded: number; refused: number; all: number };
  close(): Promise<void>;
}

export async function startFlakyProxy(upstream: string): Promise<FlakyProxy> {
  const target = new URL(upstream);
  let failing = 0;
  let retryAfter = 1;
  const stats = { forwarded: 0, refused: 0, all: 0 };

  function refuse(req: IncomingMessage, res: ServerResponse) {
    stats.refused++;
    if (failing !== Infinity) failing--;
    req.resume();
    res.writeHead(503, {
      "content-type": "application/json",
      "retry-after": String(retryAfter),
      "access-control-allow-origin": req.headers.origin ?? "*",
      "access-control-expose-headers": "retry-after",
    });
    res.end(JSON.stringify({ statusCode: 503, error: "Unavailable", code: "unavailable", message: "proxy says: overloaded" }));
  }

  const server = createServer((req, res) => {
    stats.all++;
    const api = req.url?.startsWith("/api/v1/") && req.method === "POST";
    if (api && failing > 0) return refuse(req, res);
    if (api) stats.forwarded++;
    const upstreamReq = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstreamReq.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "access-control-allow-origin": "*" });
      res.end();
    });
    req.pipe(upstreamReq);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    failNext(n, seconds = 1) {
      failing = n;
      retryAfter = seconds;
    },
    down(seconds = 1) {
      failing = Infinity;
      retryAfter = seconds;
    },
    up() {
      failing = 0;
    },
    stats,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
