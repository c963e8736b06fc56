import http from "node:http";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { benchReadHeaders } from "../shared/bench-keys.js";

export type AnalyticsClient = Client<typeof AnalyticsService>;

/** Every call carries the bench's read key, as the dashboard sends the project's. */
const readKey: Interceptor = (next) => (req) => {
  for (const [name, value] of Object.entries(benchReadHeaders)) req.header.set(name, value);
  return next(req);
};

/**
 * A Connect client of AnalyticsService, as the dashboard has one. Over
 * HTTP/2 it owns its session (so closing it ends the connection at once,
 * instead of the engine's shutdown waiting it out); over HTTP/1.1 Node's
 * kept-alive global agent opens a connection per concurrent call.
 */
export function createAnalyticsClient(baseUrl: string, httpVersion: "1.1" | "2"): { client: AnalyticsClient; close(): void } {
  const sessionManager = httpVersion === "2" ? new Http2SessionManager(baseUrl) : undefined;
  const transport =
    httpVersion === "2"
      ? createConnectTransport({ baseUrl, httpVersion, sessionManager, interceptors: [readKey] })
      : createConnectTransport({ baseUrl, httpVersion, interceptors: [readKey] });
  return { client: createClient(AnalyticsService, transport), close: () => sessionManager?.abort() };
}

// A lean kept-alive HTTP/1.1 client, as analytics-timing.ts's restGet (Node's
// fetch adds ~1 ms of its own per call on this machine: the client's cost, not the API's).
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** A JSON POST with the read key that must answer 200; the body is read in full and parsed, as a client would. */
export function restPost(url: string, body: unknown): () => Promise<unknown> {
  const payload = Buffer.from(JSON.stringify(body));
  const headers = { ...benchReadHeaders, "content-type": "application/json", "content-length": String(payload.length) };
  return () =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method: "POST", agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) reject(new Error(`POST ${url} → ${res.statusCode}: ${text.slice(0, 200)}`));
          else resolve(JSON.parse(text));
        });
      });
      req.on("error", reject);
      req.end(payload);
    });
}
