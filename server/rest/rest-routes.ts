import type { JsonValue } from "@bufbuild/protobuf";
import { create, fromJson, toJson } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, type HandlerContext } from "@connectrpc/connect";
import compress from "@fastify/compress";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { credentialParameters } from "../access/credentials.js";
import { httpRequestKey } from "../access/request-context.js";
import { webHeaders } from "../http/web-headers.js";
import type { ServiceBinding } from "../rpc/service-registry.js";
import { spelledAsWritten } from "./field-spelling.js";
import { createFlatJsonReader } from "./flat-json-reader.js";
import { type HttpRoute, httpRoutesOf } from "./http-rules.js";
import { jsonBodyParser } from "./json-body.js";
import { jsonDecodeError } from "./json-decode-error.js";
import { checkJsonShape } from "./json-shape-check.js";
import { queryToJson } from "./query-to-json.js";
import { liftStructs, putStructsBack } from "./struct-passthrough.js";

type UnaryImpl = (req: unknown, ctx: HandlerContext) => Promise<unknown>;
type FlatJsonReader = NonNullable<ReturnType<typeof createFlatJsonReader>>;

const neverAborted = new AbortController().signal;
/** Query parameters that are not the request message's: the capture key, and `_`, the cache-buster some HTTP clients add. */
const notForTheMessage: ReadonlySet<string> = new Set([...credentialParameters, "_"]);

/**
 * Serves every RPC that carries a google.api.http annotation as JSON on its
 * REST path, calling the same implementation the Connect router calls. One
 * generic handler: adding an annotated RPC to the proto adds its REST route.
 */
export async function restRoutesPlugin(scope: FastifyInstance, opts: { bindings: ServiceBinding[]; bodyLimit: number }) {
  // Answers compressed as Accept-Encoding asks (analytics answers; capture's are a few bytes). Request
  // bodies are decompressed by the parser, as Connect's JSON bodies are: @fastify/compress's per-request
  // hooks cost capture ~12% more server CPU per batched event (bench/capture/capture-ab-bench.ts).
  await scope.register(compress, { encodings: ["br", "gzip", "deflate"], globalDecompression: false });
  scope.removeAllContentTypeParsers();
  const parse = jsonBodyParser(opts.bodyLimit);
  // The exact type first: Fastify finds it without parsing the header (the catch-all showed in profiles).
  scope.addContentTypeParser("application/json", { parseAs: "buffer", bodyLimit: opts.bodyLimit }, parse);
  scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: opts.bodyLimit }, parse);
  const impls = new Map(opts.bindings.map((b) => [b.service.typeName, b.impl as Record<string, UnaryImpl | undefined>]));
  for (const route of httpRoutesOf(opts.bindings.map((b) => b.service))) {
    const impl = impls.get(route.service.typeName)?.[route.method.localName];
    const flat = createFlatJsonReader(route.method.input);
    scope.route({
      method: route.verb,
      url: route.path,
      compress: route.verb === "GET" ? undefined : false,
      handler: (req, reply) => handle(route, impl, flat, req, reply),
    });
  }
}

async function handle(route: HttpRoute, impl: UnaryImpl | undefined, flat: FlatJsonReader | undefined, req: FastifyRequest, reply: FastifyReply) {
  const input = route.method.input;
  const query = req.query as Record<string, string>;
  const fromPath = queryToJson(input, req.params as Record<string, string>);
  const json: Record<string, unknown> = {
    ...requestBody(route, req.body),
    ...queryToJson(input, query, { allowed: notForTheMessage, fromPath }),
    ...fromPath,
  };
  checkJsonShape(input, json);
  const lifted = liftStructs(input, json);
  let message = flat?.(json);
  if (message === undefined) {
    try {
      message = fromJson(input, json as JsonValue, { ignoreUnknownFields: true }) as unknown as Record<string, unknown>;
    } catch (e) {
      throw jsonDecodeError(e);
    }
  }
  putStructsBack(message, lifted);
  if (!impl) throw new ConnectError(`${route.method.name} is not implemented yet`, Code.Unimplemented);
  const ctx = new RestContext(route, req);
  let result: unknown;
  try {
    result = await impl(message, ctx);
  } catch (e) {
    // Routes read from the URL name a bad parameter as the URL spelled it; body routes keep the JSON names.
    throw route.body === "" ? spelledAsWritten(e, input, Object.keys(query ?? {})) : e;
  }
  ctx.copyResponseHeaders(reply);
  return toJson(route.method.output, create(route.method.output, result as never), { alwaysEmitImplicit: true });
}

function requestBody(route: HttpRoute, body: unknown): Record<string, unknown> {
  if (route.body === "") return {};
  if (body === undefined) return {};
  if (route.body === "*") return body as Record<string, unknown>;
  return { [route.body]: body };
}

/**
 * A plain HandlerContext for REST calls: createHandlerContext links an
 * AbortController per call, and Headers objects are dear; both showed in
 * profiles of the single-event path, so headers are made only when an
 * implementation asks. A class, so no closures are made per request.
 */
class RestContext implements HandlerContext {
  readonly protocolName = "rest";
  readonly signal = neverAborted;
  readonly values = createContextValues();
  readonly service: HttpRoute["service"];
  readonly method: HttpRoute["method"];
  readonly requestMethod: string;
  readonly url: string;
  private requestHeaders?: Headers;
  private responseHeaders?: Headers;
  private responseTrailers?: Headers;

  constructor(
    route: HttpRoute,
    private readonly req: FastifyRequest,
  ) {
    this.service = route.service;
    this.method = route.method;
    this.requestMethod = req.method;
    this.url = req.url;
    this.values.set(httpRequestKey, req);
  }

  timeoutMs(): undefined {
    return undefined;
  }

  get requestHeader(): Headers {
    return (this.requestHeaders ??= webHeaders(this.req.headers));
  }

  get responseHeader(): Headers {
    return (this.responseHeaders ??= new Headers());
  }

  get responseTrailer(): Headers {
    return (this.responseTrailers ??= new Headers());
  }

  copyResponseHeaders(reply: FastifyReply): void {
    this.responseHeaders?.forEach((value, key) => void reply.header(key, value));
  }
}
