import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import type { AnalyticsService as Analytics } from "../../analytics/analytics-service.js";
import type { CaptureService } from "../../capture/capture-service.js";
import { InvalidInputError } from "../../core/errors/domain-errors.js";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { CaptureService as CaptureServiceDesc } from "../../gen/insightplus/v1/capture_service_pb.js";
import { createAnalyticsRpc } from "./analytics-rpc.js";
import { type BinaryView, binaryViewOf } from "./binary-view.js";
import { createCaptureRpc } from "./capture-rpc.js";

export interface ServiceBinding {
  service: DescService;
  impl: Partial<ServiceImpl<DescService>>;
}

/**
 * The services this server offers, each with its implementation. Both the
 * Connect router (gRPC, gRPC-Web, Connect) and the REST routes are built from
 * this one list.
 */
export function createServiceBindings(deps: { capture: CaptureService; analytics: Analytics }): ServiceBinding[] {
  return [
    { service: CaptureServiceDesc, impl: createCaptureRpc(deps.capture) as unknown as ServiceBinding["impl"] },
    { service: AnalyticsService, impl: createAnalyticsRpc(deps.analytics) as unknown as ServiceBinding["impl"] },
  ];
}

export function connectRoutes(bindings: ServiceBinding[]) {
  return (router: ConnectRouter) => {
    for (const b of bindings) router.service(b.service, b.impl);
  };
}

/**
 * The same implementations under each service's binary view (binary-view.ts),
 * where it has one: lists the view reads as bytes are decoded item by item
 * before the implementation sees the request, so it gets the same shapes.
 */
export function binaryConnectRoutes(bindings: ServiceBinding[]) {
  const views = bindings.flatMap((b) => {
    const view = binaryViewOf(b.service);
    return view ? [{ service: view.service, impl: decodingImpl(view, b.impl) }] : [];
  });
  return (router: ConnectRouter) => {
    for (const v of views) router.service(v.service, v.impl);
  };
}

type AnyImpl = Record<string, ((req: unknown, ctx: unknown) => unknown) | undefined>;

function decodingImpl(view: BinaryView, impl: ServiceBinding["impl"]): ServiceBinding["impl"] {
  const out: AnyImpl = { ...(impl as AnyImpl) };
  for (const method of view.service.methods) {
    const lists = view.lists.get(method.input.typeName);
    const fn = (impl as AnyImpl)[method.localName];
    if (!lists || !fn) continue;
    const decode = (req: Record<string, unknown>) => {
      for (const l of lists) req[l.localName] = (req[l.localName] as Uint8Array[]).map((bytes, i) => readItem(l, bytes, i));
      return req;
    };
    out[method.localName] =
      method.methodKind === "unary" || method.methodKind === "server_streaming"
        ? (req, ctx) => fn(decode(req as Record<string, unknown>), ctx)
        : (reqs, ctx) => fn(mapIterable(reqs as AsyncIterable<Record<string, unknown>>, decode), ctx);
  }
  return out as ServiceBinding["impl"];
}

function readItem(l: { jsonName: string; read: (bytes: Uint8Array) => unknown }, bytes: Uint8Array, i: number): unknown {
  try {
    return l.read(bytes);
  } catch {
    throw new InvalidInputError(`${l.jsonName}[${i}]`, "is not a valid protobuf message"); // as the whole request would have been
  }
}

async function* mapIterable<T, U>(items: AsyncIterable<T>, fn: (item: T) => U): AsyncIterable<U> {
  for await (const item of items) yield fn(item);
}
