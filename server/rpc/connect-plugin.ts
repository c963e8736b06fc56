import { type ConnectRouterOptions, createConnectRouter } from "@connectrpc/connect";
import { universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { FastifyInstance } from "fastify";
import { decodeJsonBody } from "../rest/json-body.js";
import { remapParseErrors } from "./parse-error-remap.js";
import { universalRequestOf } from "./universal-request.js";

// Content types whose bodies Connect reads itself (enveloped or binary).
const rawTypes = /^application\/((connect|grpc|grpc-web)(\+\w+)?|proto)(;.*)?$/;
// The binary ones (protobuf payloads; plain application/grpc and grpc-web are protobuf too).
const binaryTypes = /^application\/((connect|grpc|grpc-web)\+proto|grpc|grpc-web|proto)(;.*)?$/;

export interface ConnectPluginOptions extends ConnectRouterOptions {
  routes: (router: ReturnType<typeof createConnectRouter>) => void;
  /** Routes for binary payloads (see binary-view.ts); a path they lack uses `routes`. */
  binaryRoutes?: (router: ReturnType<typeof createConnectRouter>) => void;
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
  const binaryHandlers = new Map(binaryRouter.handlers.map((h) => [h.requestPath, remapParseErrors(h)]));
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(/^application\/json(;.*)?$/, { parseAs: "buffer", bodyLimit: opts.readMaxBytes }, (_req, body, done) => {
    try {
      done(null, decodeJsonBody(body as Buffer));
    } catch (e) {
      done(e as Error);
    }
  });
  scope.addContentTypeParser(rawTypes, (_req, _payload, done) => done(null, undefined));
  for (const handler of router.handlers.map(remapParseErrors)) {
    const binary = binaryHandlers.get(handler.requestPath);
    scope.all(handler.requestPath, async (req, reply) => {
      reply.hijack(); // the response is written by Connect, not by Fastify
      const h = binary && binaryTypes.test(req.headers["content-type"] ?? "") ? binary : handler;
      const res = await h(universalRequestOf(req.raw, reply.raw, req.body as never));
      for (const [key, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(key, value);
      }
      await universalResponseToNodeResponse(res, reply.raw).catch(() => undefined); // client went away
    });
  }
}
