import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import type { AdminService as Admin } from "../../access/admin-service.js";
import type { AnalyticsService as Analytics } from "../../analytics/analytics-service.js";
import type { LiveTail } from "../../analytics/live-tail.js";
import type { CaptureService } from "../../capture/capture-service.js";
import { AdminService } from "../../gen/insightplus/v1/admin_service_pb.js";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { CaptureService as CaptureServiceDesc } from "../../gen/insightplus/v1/capture_service_pb.js";
import type { CaptureTargets } from "../access/capture-targets.js";
import { createAdminRpc } from "./admin-rpc.js";
import { createAnalyticsRpc } from "./analytics-rpc.js";
import { binaryViewOf, type ViewMethod } from "./binary-view.js";
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
export function createServiceBindings(deps: {
  capture: CaptureService;
  targets: CaptureTargets;
  analytics: Analytics;
  liveTail: LiveTail;
  projectName: (projectId: string) => string | undefined;
  admin: Admin;
}): ServiceBinding[] {
  return [
    { service: CaptureServiceDesc, impl: createCaptureRpc(deps.capture, deps.targets) as unknown as ServiceBinding["impl"] },
    { service: AnalyticsService, impl: createAnalyticsRpc(deps.analytics, deps.liveTail, deps.projectName) as unknown as ServiceBinding["impl"] },
    { service: AdminService, impl: createAdminRpc(deps.admin) as unknown as ServiceBinding["impl"] },
  ];
}

export function connectRoutes(bindings: ServiceBinding[]) {
  return (router: ConnectRouter) => {
    for (const b of bindings) router.service(b.service, b.impl);
  };
}

/** Routes for binary requests, with which methods they serve through the view (the app logs it at start-up). */
export type BinaryRoutes = ((router: ConnectRouter) => void) & {
  /** Per method ("package.Service/Method"): "binary view", or why the real schema reads its binary requests. */
  description: Record<string, string>;
};

/**
 * The same implementations under each service's binary view (binary-view.ts),
 * method by method: each request the view decoded is turned into the shapes the
 * real schema gives (viewMethod.read) before the implementation sees it. A
 * method the view does not serve, or one not implemented, is left out: its
 * binary requests take the real schema's route.
 */
export function binaryConnectRoutes(bindings: ServiceBinding[]): BinaryRoutes {
  const description: Record<string, string> = {};
  const routes: Array<(router: ConnectRouter) => void> = [];
  for (const b of bindings) {
    const view = binaryViewOf(b.service);
    for (const g of view.generic) description[`${b.service.typeName}/${g.method.name}`] = `real schema: ${g.reason}`;
    for (const m of view.served) {
      const fn = (b.impl as AnyImpl)[m.method.localName];
      if (!fn) continue;
      description[`${b.service.typeName}/${m.method.name}`] = "binary view";
      routes.push((router) => router.rpc(m.method, decodingMethod(m, fn.bind(b.impl)) as never));
    }
  }
  const register = (router: ConnectRouter) => {
    for (const r of routes) r(router);
  };
  return Object.assign(register, { description });
}

type AnyFn = (req: unknown, ctx: unknown) => unknown;
type AnyImpl = Record<string, AnyFn | undefined>;

function decodingMethod(m: ViewMethod, fn: AnyFn): AnyFn {
  const kind = m.method.methodKind;
  return kind === "unary" || kind === "server_streaming"
    ? (req, ctx) => fn(m.read(req as Record<string, unknown>), ctx)
    : (reqs, ctx) => fn(mapIterable(reqs as AsyncIterable<Record<string, unknown>>, m.read), ctx);
}

async function* mapIterable<T, U>(items: AsyncIterable<T>, fn: (item: T) => U): AsyncIterable<U> {
  for await (const item of items) yield fn(item);
}
