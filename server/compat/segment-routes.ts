import type { ConnectError } from "@connectrpc/connect";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AccessCheck } from "../../access/access-check.js";
import { NotFoundError } from "../../core/errors/domain-errors.js";
import { codeName, fieldOf, httpStatusOf } from "../errors/error-table.js";
import { createErrorHandler } from "../http/error-handler.js";
import { type CompatDeps, captureCompat, rawBodies } from "./compat-capture.js";
import { compatPayload } from "./compat-payload.js";
import { type SegmentType, segmentBatchOf, segmentTypes, typeByLetter } from "./segment-batch.js";

/** Segment's error bodies. */
function segmentError(err: ConnectError) {
  const field = fieldOf(err);
  return { success: false, code: codeName(err.code), message: err.rawMessage, ...(field ? { field } : {}), status: httpStatusOf(err) };
}

/**
 * Segment's Tracking API (analytics.js, analytics-node, and RudderStack's and
 * Jitsu's SDKs): the long paths, analytics.js's short ones (`/v1/t` …, `/v1/b`
 * when it batches), and the settings call analytics.js makes first, which
 * points it at this server. The write key is the HTTP Basic user name (the
 * one auth step reads it) or the body's `writeKey`; bodies are JSON whatever
 * their content type (analytics.js sends text/plain), gzip as RudderStack
 * sends it. Answers `{"success":true}`.
 */
export async function segmentRoutesPlugin(scope: FastifyInstance, deps: CompatDeps & { access: AccessCheck }) {
  rawBodies(scope, deps.maxRequestBytes, deps.admission);
  scope.setErrorHandler(createErrorHandler(deps.drainLimits, segmentError));
  const route = (type: SegmentType | "batch") => async (req: FastifyRequest, reply: FastifyReply) => {
    const result = await captureCompat(deps, req, segmentBatchOf(await compatPayload(req, deps.maxRequestBytes, { forms: false }), type));
    return reply.send({ success: true, accepted: result.accepted, rejected: result.rejected });
  };
  for (const type of segmentTypes) scope.post(`/v1/${type}`, route(type));
  for (const [letter, type] of Object.entries(typeByLetter)) scope.post(`/v1/${letter}`, route(type));
  for (const url of ["/v1/batch", "/v1/b", "/v1/import"]) scope.post(url, route("batch"));
  scope.get("/v1/projects/:writeKey/settings", async (req) => {
    const writeKey = (req.params as { writeKey: string }).writeKey;
    // A key this server does not know is a 404 analytics.js shows, not settings that send events nowhere.
    const principal = await Promise.resolve(deps.access.check({ key: writeKey, origin: undefined }, "capture")).catch(() => undefined);
    if (!principal) throw new NotFoundError("writeKey", "is not a write key of this server");
    return segmentSettings(writeKey, `${req.host}/v1`, req.protocol);
  });
}

/**
 * analytics.js's settings: only the "Segment.io" integration (any other would
 * make it load destinations from Segment's CDN), pointed at this server
 * (`apiHost` without a scheme), and no metrics (it would send its own to
 * api.segment.io every 30 s).
 */
function segmentSettings(writeKey: string, apiHost: string, protocol: string) {
  return {
    integrations: { "Segment.io": { apiKey: writeKey, apiHost, protocol, unbundledIntegrations: [], addBundledMetadata: true, maybeBundledConfigIds: {} } },
    plan: { track: { __default: { enabled: true, integrations: {} } }, identify: { __default: { enabled: true } }, group: { __default: { enabled: true } } },
    metrics: { sampleRate: 0 },
    remotePlugins: [],
    enabledMiddleware: {},
    middlewareSettings: {},
    legacyVideoPluginsEnabled: false,
  };
}
