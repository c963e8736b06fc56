import { create, fromJson, toJson } from "@bufbuild/protobuf";
import type { JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, type HandlerContext } from "@connectrpc/connect";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServiceBinding } from "../rpc/service-registry.js";
import { httpRoutesOf, type HttpRoute } from "./http-rules.js";
import { parseJsonBody } from "./json-body.js";
import { jsonDecodeError } from "./json-decode-error.js";
import { checkJsonShape } from "./json-shape-check.js";
import { queryToJson } from "./query-to-json.js";

type UnaryImpl = (req: unknown, ctx: HandlerContext) => Promise<unknown>;

const neverAborted = new AbortController().signal;

/**
 * Serves every RPC that carries a google.api.http annotation as JSON on its
 * REST path, calling the same implementation the Connect router calls. One
 * generic handler: adding an annotated RPC to the proto adds its REST route.
 */
export async function restRoutesPlugin(scope: FastifyInstance, opts: { bindings: ServiceBinding[]; bodyLimit: number }) {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: opts.bodyLimit }, parseJsonBody);
  const impls = new Map(opts.bindings.map((b) => [b.service.typeName, b.impl as Record<string, UnaryImpl | undefined>]));
  for (const route of httpRoutesOf(opts.bindings.map((b) => b.service))) {
    const impl = impls.get(route.service.typeName)?.[route.method.localName];
    scope.route({
      method: route.verb,
      url: route.path,
      handler: (req, reply) => handle(route, impl, req, reply),
    });
  }
}

async function handle(route: HttpRoute, impl: UnaryImpl | undefined, req: FastifyRequest, reply: FastifyReply) {
  const input = route.method.input;
  const json: Record<string, unknown> = {
    ...requestBody(route, req.body),
    ...queryToJson(input, req.query as Record<string, string>),
    ...queryToJson(input, req.params as Record<string, string>),
  };
  checkJsonShape(input, json);
  let message;
  try {
    message = fromJson(input, json as JsonValue, { ignoreUnknownFields: true });
  } catch (e) {
    throw jsonDecodeError(e);
  }
  if (!impl) throw new ConnectError(`${route.method.name} is not implemented yet`, Code.Unimplemented);
  // A plain context: createHandlerContext links an AbortController per call,
  // which showed up in profiles of the single-event path.
  const ctx: HandlerContext = {
    service: route.service,
    method: route.method,
    protocolName: "rest",
    requestMethod: req.method,
    url: req.url,
    signal: neverAborted,
    timeoutMs: () => undefined,
    requestHeader: toHeaders(req.headers),
    responseHeader: new Headers(),
    responseTrailer: new Headers(),
    values: createContextValues(),
  };
  const result = await impl(message, ctx);
  ctx.responseHeader.forEach((value, key) => void reply.header(key, value));
  return toJson(route.method.output, create(route.method.output, result as never), { alwaysEmitImplicit: true });
}

function requestBody(route: HttpRoute, body: unknown): Record<string, unknown> {
  if (route.body === "") return {};
  if (body === undefined) return {};
  if (route.body === "*") return body as Record<string, unknown>;
  return { [route.body]: body };
}

function toHeaders(incoming: FastifyRequest["headers"]): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(incoming)) {
    if (value === undefined || key.startsWith(":")) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
  }
  return headers;
}
