import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { CaptureService as CaptureServiceDesc } from "../../gen/insightplus/v1/capture_service_pb.js";
import type { CaptureService } from "../capture/capture-service.js";
import { createCaptureRpc } from "./capture-rpc.js";

export interface ServiceBinding {
  service: DescService;
  impl: Partial<ServiceImpl<DescService>>;
}

/**
 * The services this server offers, each with its implementation. Both the
 * Connect router (gRPC, gRPC-Web, Connect) and the REST routes are built from
 * this one list. Methods missing from an implementation answer UNIMPLEMENTED.
 */
export function createServiceBindings(deps: { capture: CaptureService }): ServiceBinding[] {
  return [
    { service: CaptureServiceDesc, impl: createCaptureRpc(deps.capture) as unknown as ServiceBinding["impl"] },
    // Analytics arrive with the worker and storage; until then every RPC is UNIMPLEMENTED.
    { service: AnalyticsService, impl: {} },
  ];
}

export function connectRoutes(bindings: ServiceBinding[]) {
  return (router: ConnectRouter) => {
    for (const b of bindings) router.service(b.service, b.impl);
  };
}
