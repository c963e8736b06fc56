import http from "node:http";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerFactory, LogController } from "fastify";
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import type { AccessCheck } from "../access/access-check.js";
import type { CaptureService } from "../capture/capture-service.js";
import type { Config } from "../core/config/config.js";
import type { EngineMetrics } from "../core/metrics/engine-metrics.js";
import { createAdmission } from "./access/admission.js";
import type { CaptureTargets } from "./access/capture-targets.js";
import { guardBindings } from "./access/guarded-bindings.js";
import { createRateLimits } from "./access/rate-limits.js";
import { postHogRoutesPlugin } from "./compat/posthog-routes.js";
import { segmentRoutesPlugin } from "./compat/segment-routes.js";
import { corsOptions } from "./http/cors-options.js";
import { dashboardRoutesPlugin } from "./http/dashboard-routes.js";
import { createErrorHandler } from "./http/error-handler.js";
import { healthRoutesPlugin, type ReadinessProbes } from "./http/health-routes.js";
import { metricsRoutesPlugin, observeRequests, tagged } from "./http/metrics-routes.js";
import { restRoutesPlugin } from "./rest/rest-routes.js";
import { connectPlugin } from "./rpc/connect-plugin.js";
import { createErrorInterceptor } from "./rpc/error-interceptor.js";
import { binaryConnectRoutes, connectRoutes, type ServiceBinding } from "./rpc/service-registry.js";

export interface AppDeps {
  config: Config;
  logger: Logger;
  bindings: ServiceBinding[];
  /** The access check every RPC passes (server/access/guarded-bindings.ts). */
  access: AccessCheck;
  /** The capture function and targets the PostHog and Segment endpoints call (the RPCs have theirs in their bindings). */
  capture: CaptureService;
  targets: CaptureTargets;
  /** Where rate-limit counters live so every server shares them; in memory when absent. */
  rateLimitRedis?: Redis | Cluster;
  /** What /readyz reports: whether capture can queue events now, and whether the database answers. */
  ready: ReadinessProbes;
  /** The process's metrics: served at /metrics (admin key), and every request counted into them. */
  metrics: EngineMetrics;
  /** The built dashboard (index.html and assets); `/` says how to build it when absent. */
  dashboardDir?: string;
}

export interface App {
  fastify: FastifyInstance;
  /** Fastify's request handler, for the listener that owns the sockets (HTTP/1.1 and h2c on one port). */
  handler: http.RequestListener;
}

/** Builds the Fastify app with every protocol; never listens (see listen/). */
export async function buildApp(deps: AppDeps): Promise<App> {
  // An early answer's unread body is read and dropped up to 4 request limits (at least 8 MB) or 10 s.
  const drainLimits = { maxBytes: Math.max(8 << 20, 4 * deps.config.maxRequestBytes), maxMs: 10_000 };
  let handler: http.RequestListener | undefined;
  const serverFactory: FastifyServerFactory = (h) => {
    handler = h as http.RequestListener;
    return http.createServer(h);
  };
  const fastify = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }), // no per-request logs on the hot path
    // No child logger per request either (it showed in profiles); the one request log, for a failed
    // request in the error handler, carries the request id itself.
    childLoggerFactory: (logger) => logger,
    serverFactory,
    bodyLimit: deps.config.maxRequestBytes,
    return503OnClosing: true,
    trustProxy: trustProxyOption(deps.config.access.trustProxy),
  });
  fastify.setErrorHandler(createErrorHandler(drainLimits));
  await fastify.register(cors, corsOptions(deps.access));
  // global: false: the counters are consulted inside the access check (one place for every protocol), not by a hook.
  // Counters beside the stream they guard, so deployments sharing a Redis keep their own.
  await fastify.register(rateLimit, { global: false, redis: deps.rateLimitRedis, nameSpace: `${deps.config.streamKey}:rate:`, skipOnError: true });
  const admission = createAdmission({ access: deps.access, limits: createRateLimits(fastify, deps.config.access.rateLimits) });
  const bindings = guardBindings(deps.bindings, admission);
  observeRequests(fastify, deps.metrics);
  await fastify.register(healthRoutesPlugin, { ready: deps.ready });
  await fastify.register(metricsRoutesPlugin, { metrics: deps.metrics, admission });
  await fastify.register(dashboardRoutesPlugin, { dir: deps.dashboardDir });
  await fastify.register(connectPlugin, {
    routes: connectRoutes(bindings),
    binaryRoutes: binaryConnectRoutes(bindings),
    interceptors: [createErrorInterceptor(deps.logger)],
    readMaxBytes: deps.config.maxRequestBytes,
    drainLimits,
    // gzip and br in both directions, as @connectrpc/connect-fastify offers by default.
    acceptCompression: [compressionGzip, compressionBrotli],
    jsonOptions: { ignoreUnknownFields: true },
  });
  await fastify.register(tagged("rest", restRoutesPlugin), { bindings, bodyLimit: deps.config.maxRequestBytes });
  const compat = { admission, capture: deps.capture, targets: deps.targets, maxRequestBytes: deps.config.maxRequestBytes, drainLimits };
  await fastify.register(tagged("posthog", postHogRoutesPlugin), compat);
  await fastify.register(tagged("segment", segmentRoutesPlugin), { ...compat, access: deps.access });
  await fastify.ready();
  return { fastify, handler: handler! };
}

/** TRUST_PROXY as Fastify takes it: a hop count becomes "trust the nearest n hops". */
function trustProxyOption(t: Config["access"]["trustProxy"]) {
  return typeof t === "number" ? (_address: string, hop: number) => hop < t : t;
}
