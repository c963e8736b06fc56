import { IncomingMessage } from "node:http";
import { type ConnectRouterOptions, createConnectRouter, createContextValues } from "@connectrpc/connect";
import { universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { FastifyInstance } from "fastify";
import { httpRequestKey } from "../access/request-context.js";
import { type DrainLimits, drainUnreadBody } from "../http/unread-body-drain.js";
import { jsonBodyParser } from "../rest/json-body.js";
import { remapParseErrors } from "./parse-error-remap.js";
import { universalRequestOf } from "./universal-request.js";

// Content types whose bodies Connect reads itself (enveloped or binary).
const rawTypes = /^application\/((connect|grpc|grpc-web)(\+\w+)?|proto)(;.*)?$/;
// The binary ones (protobuf payloads; plain application/grpc and grpc-web are protobuf too).
const binaryTypes = /^application\/((connect|grpc|grpc-web)\+proto|grpc|grpc-web|proto)(;.*)?$/;

export interface ConnectPluginOptions extends ConnectRouterOptions {
  routes: (router: ReturnType<typeof createConnectRouter>) => void;
  /** Routes for binary payloads (see binary-view.ts); a path they lack uses `routes`. */
  binaryRoutes?: ((router: ReturnType<typeof createConnectRouter>) => void) & {
    /** Which method reads binary requests how (logged once, so a method left to the real schema is never a surprise). */
    description?: Record<string, string>;
  };
  /** How much of a body left unread by an early answer (over the size limit) is still read and dropped. */
  drainLimits: DrainLimits;
}

/**
 * Serves the Connect router (gRPC, gRPC-Web, Connect) from Fastify. Our own
 * take on @connectrpc/connect-fastify's plugin (same 30 lines) for two things
 * it cannot be told: Connect unary JSON bodies go through the same strict
 * parser as REST (invalid UTF-8 and `__proto__` keys refused, not silently
 * dropped), and undecodable protobuf is INVALID_ARGUMENT, not INTERNAL.
 */
export async function connectPlugin(scope: FastifyInstance, opts: ConnectPluginOptions) {
  const router = createConnectRouter(opts);
  opts.routes(router);
  const binaryRouter = createConnectRouter(opts);
  opts.binaryRoutes?.(binaryRouter);
  if (opts.binaryRoutes?.description) scope.log.info({ binaryRequests: opts.binaryRoutes.description }, "binary protobuf requests, per method");
  const binaryHandlers = new Map(binaryRouter.handlers.map((h) => [h.requestPath, remapParseErrors(h)]));
  scope.removeAllContentTypeParsers();
  // Connect unary JSON: Content-Encoding says how the body is compressed (Connect reads it only from bytes it parses itself).
  scope.addContentTypeParser(
    /^application\/json(;.*)?$/,
    { parseAs: "buffer", bodyLimit: opts.readMaxBytes },
    jsonBodyParser(opts.readMaxBytes ?? Number.MAX_SAFE_INTEGER),
  );
  scope.addContentTypeParser(rawTypes, (_req, _payload, done) => done(null, undefined));
  for (const handler of router.handlers.map(remapParseErrors)) {
    const binary = binaryHandlers.get(handler.requestPath);
    scope.all(handler.requestPath, async (req, reply) => {
      reply.hijack(); // the response is written by Connect, not by Fastify
      const h = binary && binaryTypes.test(req.headers["content-type"] ?? "") ? binary : handler;
      const res = await h(universalRequestOf(req.raw, reply.raw, req.body as never, createContextValues().set(httpRequestKey, req)));
      for (const [key, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(key, value);
      }
      await universalResponseToNodeResponse(res, reply.raw).catch(() => undefined); // client went away
      if (req.raw instanceof IncomingMessage) drainUnreadBody(req.raw, reply.raw, opts.drainLimits); // answered before reading it all (over the limit)
    });
  }
}
