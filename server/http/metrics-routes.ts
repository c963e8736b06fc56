import type { FastifyInstance, FastifyPluginAsync, FastifyPluginOptions, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import type { EngineMetrics } from "../../core/metrics/engine-metrics.js";
import type { Admission } from "../access/admission.js";

/** The protocol a route serves, kept in its config by `tagged` (PostHog, Segment, REST); RPC routes tell by content type. */
type Protocol = "grpc" | "grpc-web" | "connect" | "rest" | "posthog" | "segment" | "http";

/** The plugin, with every route it registers marked as serving `protocol` (for the request metrics). */
export function tagged<O extends FastifyPluginOptions>(protocol: Protocol, plugin: FastifyPluginAsync<O>): FastifyPluginAsync<O> {
  return async (scope, opts) => {
    scope.addHook("onRoute", (route: RouteOptions) => {
      (route as { config?: object }).config = { ...route.config, protocol };
    });
    await plugin(scope, opts);
  };
}

function protocolOf(req: FastifyRequest): Protocol {
  const tagged = (req.routeOptions.config as { protocol?: Protocol } | undefined)?.protocol;
  if (tagged) return tagged;
  const type = req.headers["content-type"] ?? "";
  if (type.startsWith("application/grpc-web")) return "grpc-web";
  if (type.startsWith("application/grpc")) return "grpc";
  return req.routeOptions.url?.startsWith("/insightplus.") ? "connect" : "http";
}

const byStatus: Record<number, string> = {
  400: "invalid",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "too_large",
  415: "unsupported",
  429: "rate_limited",
  503: "unavailable",
};
// By gRPC status code, the same numbers as Connect's codes.
const grpcOutcome: Record<number, string> = {
  0: "ok",
  1: "cancelled",
  3: "invalid",
  4: "timeout",
  5: "not_found",
  6: "conflict",
  7: "forbidden",
  8: "rate_limited",
  12: "unsupported",
  14: "unavailable",
  16: "unauthenticated",
};

/** An RPC's failure, noted by the error interceptor: gRPC sends it in trailers, gRPC-Web and Connect streams in the body. */
const rpcFailures = new WeakMap<FastifyRequest, number>();

/** Notes the Connect code an RPC failed with, for its request's outcome. */
export function noteRpcFailure(req: FastifyRequest, code: number): void {
  rpcFailures.set(req, code);
}

function outcomeOf(req: FastifyRequest, reply: FastifyReply): string {
  // Before the RPC ran (a body refused, a wrong content type), gRPC answers trailers-only: grpc-status is a header.
  const code = rpcFailures.get(req) ?? reply.getHeader("grpc-status") ?? reply.raw.getHeader("grpc-status");
  if (code !== undefined) return grpcOutcome[Number(code)] ?? "error";
  const status = reply.statusCode;
  return status < 400 ? "ok" : (byStatus[status] ?? (status >= 500 ? "error" : "invalid"));
}

/**
 * Every request counted by protocol, route (its pattern, never the raw URL) and outcome, and timed, on the root
 * instance before any route. A live tail lasts as long as its client stays: counted, not timed.
 */
export function observeRequests(app: FastifyInstance, metrics: EngineMetrics): void {
  // Each label set's child kept: prom-client hashes a labels object on every inc (a few µs a request in bench:capture-ab).
  const counted = new Map<string, { inc(): void }>();
  const timed = new Map<string, { observe(seconds: number): void }>();
  // A callback hook, not an async one: no promise per request.
  app.addHook("onResponse", (req, reply, done) => {
    done();
    const route = req.routeOptions.url ?? "unmatched";
    if (route === "/metrics") return;
    const protocol = protocolOf(req);
    const outcome = outcomeOf(req, reply);
    const key = `${protocol} ${route} ${outcome}`;
    let counter = counted.get(key);
    if (!counter) counted.set(key, (counter = metrics.requests.labels(protocol, route, outcome)));
    counter.inc();
    if (route.endsWith("/TailEvents")) return;
    let histogram = timed.get(`${protocol} ${route}`);
    if (!histogram) timed.set(`${protocol} ${route}`, (histogram = metrics.requestSeconds.labels(protocol, route)));
    histogram.observe(reply.elapsedTime / 1000);
  });
}

/** `GET /metrics` in Prometheus's text format, for an admin key only (the same access check as every other door). */
export async function metricsRoutesPlugin(app: FastifyInstance, opts: { metrics: EngineMetrics; admission: Admission }) {
  const { metrics } = opts;
  app.get("/metrics", async (req, reply) => {
    await opts.admission.admit(req, "admin");
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
