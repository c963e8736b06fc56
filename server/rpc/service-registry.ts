import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { CaptureService as CaptureServiceDesc } from "../../gen/insightplus/v1/capture_service_pb.js";
import type { AnalyticsService as Analytics } from "../analytics/analytics-service.js";
import type { CaptureService } from "../capture/capture-service.js";
import { createAnalyticsRpc } from "./analytics-rpc.js";
import { binaryViewOf } from "./binary-view.js";
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

/** The same implementations under each service's binary view (Struct fields read as bytes), where it has one. */
export function binaryConnectRoutes(bindings: ServiceBinding[]) {
  const views = bindings.flatMap((b) => {
    const view = binaryViewOf(b.service);
    return view ? [{ service: view, impl: b.impl }] : [];
  });
  return (router: ConnectRouter) => {
    for (const v of views) router.service(v.service, v.impl);
  };
}
