import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";

export type Api = Client<typeof AnalyticsService>;

/** The public API over Connect (JSON, fetch; streaming for the live tail), the read key in a header, never in a URL. */
export function createApi(key: string): Api {
  const withKey: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${key}`);
    return next(req);
  };
  return createClient(AnalyticsService, createConnectTransport({ baseUrl: location.origin, interceptors: [withKey] }));
}

/** A readable reason from a failed call: Connect's message without its "[code]" prefix. */
export function reasonOf(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^\[[a-z_]+\]\s*/, "");
}
