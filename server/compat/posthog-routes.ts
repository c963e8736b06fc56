import type { ConnectError } from "@connectrpc/connect";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { codeName, fieldOf, httpStatusOf } from "../errors/error-table.js";
import { createErrorHandler } from "../http/error-handler.js";
import { type CompatDeps, captureCompat, rawBodies } from "./compat-capture.js";
import { compatPayload } from "./compat-payload.js";
import { postHogBatchOf } from "./posthog-batch.js";
import { postHogConfig, postHogConfigScript, postHogDecide, postHogFlags } from "./posthog-config.js";

const capturePaths = ["/e", "/i/v0/e", "/capture", "/track", "/batch", "/engage"];

/** PostHog's error bodies: `{type, code, detail, attr}` (its SDKs only read the status). */
function postHogError(err: ConnectError) {
  const status = httpStatusOf(err);
  const type =
    status === 401 || status === 403 ? "authentication_error" : status === 429 ? "rate_limited" : status >= 500 ? "server_error" : "validation_error";
  return { type, code: codeName(err.code), detail: err.rawMessage, attr: fieldOf(err) ?? null };
}

/**
 * PostHog's capture API as posthog-js and posthog-node call it, on every path
 * and spelling they use (with or without the trailing slash, GET and POST),
 * answering `200 {"status":1}` (posthog-js retries any other 2xx), with the
 * start-up calls posthog-js makes (remote config, flags) answered so it runs
 * with its default options.
 */
export async function postHogRoutesPlugin(scope: FastifyInstance, deps: CompatDeps) {
  rawBodies(scope, deps.maxRequestBytes, deps.admission);
  scope.setErrorHandler(createErrorHandler(deps.drainLimits, postHogError));
  const capture = async (req: FastifyRequest, reply: FastifyReply) => {
    const payload = await compatPayload(req, deps.maxRequestBytes, { forms: true });
    const result = await captureCompat(deps, req, postHogBatchOf(payload, req.routeOptions.url?.startsWith("/engage") ?? false));
    return reply.send({ status: 1, accepted: result.accepted, rejected: result.rejected });
  };
  for (const path of capturePaths) {
    for (const url of [path, `${path}/`]) scope.route({ method: ["GET", "POST"], url, handler: capture });
  }
  for (const url of ["/flags", "/flags/"]) scope.route({ method: ["GET", "POST"], url, handler: async () => postHogFlags() });
  for (const url of ["/decide", "/decide/"]) scope.route({ method: ["GET", "POST"], url, handler: async () => postHogDecide() });
  scope.get("/array/:token/config", async (req) => postHogConfig((req.params as { token: string }).token));
  scope.get("/array/:token/config.js", async (req, reply) =>
    reply.type("application/javascript").send(postHogConfigScript((req.params as { token: string }).token)),
  );
}
