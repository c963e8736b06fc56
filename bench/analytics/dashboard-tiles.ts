import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import type { createAnalyticsService } from "../../analytics/analytics-service.js";
import { firstLoad, type Range } from "../../dashboard/src/first-load.js";
import {
  GetConversionFunnelRequestSchema,
  GetFunnelRequestSchema,
  GetMostActiveUsersRequestSchema,
  GetMostUsedFeatureRequestSchema,
  GetRetentionRequestSchema,
  QueryTrendsRequestSchema,
} from "../../gen/insightplus/v1/analytics_service_pb.js";
import type { AnalyticsClient } from "./dashboard-client.js";

type Service = ReturnType<typeof createAnalyticsService>;

/** One request of the dashboard's first screen: how the engine is asked (Connect) and the same work in-process (the service). */
export interface Tile {
  /** firstLoad()'s key, with the property for the `properties` tiles. */
  name: string;
  rpc: string;
  call(client: AnalyticsClient): Promise<unknown>;
  inProcess(service: Service, projectId: string): Promise<unknown>;
}

/** The last `days` days in UTC, today included: inclusive YYYY-MM-DD bounds as the dashboard's date picker sends them. */
export function lastDaysUtc(days: number, nowMs = Date.now()): Range {
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: date(nowMs - (days - 1) * 86_400_000), to: date(nowMs), tz: "UTC" };
}

// firstLoad() names its requests, not their RPCs: the ones that are not trends queries
// have look-alike shapes (conversion and feature are both bare bounds), so they are
// mapped by key. Anything else with `series` is a QueryTrends request.
const byKey = {
  conversion: { rpc: "GetConversionFunnel", schema: GetConversionFunnelRequestSchema, client: "getConversionFunnel", service: "conversionFunnel" },
  conversionBefore: { rpc: "GetConversionFunnel", schema: GetConversionFunnelRequestSchema, client: "getConversionFunnel", service: "conversionFunnel" },
  feature: { rpc: "GetMostUsedFeature", schema: GetMostUsedFeatureRequestSchema, client: "getMostUsedFeature", service: "mostUsedFeature" },
  powerUsers: { rpc: "GetMostActiveUsers", schema: GetMostActiveUsersRequestSchema, client: "getMostActiveUsers", service: "mostActiveUsers" },
  funnel: { rpc: "GetFunnel", schema: GetFunnelRequestSchema, client: "getFunnel", service: "funnel" },
  retention: { rpc: "GetRetention", schema: GetRetentionRequestSchema, client: "getRetention", service: "retention" },
} as const;
const trendsRpc = { rpc: "QueryTrends", schema: QueryTrendsRequestSchema, client: "queryTrends", service: "trends" } as const;
type Route = (typeof byKey)[keyof typeof byKey] | typeof trendsRpc;

function tile(name: string, route: Route, init: unknown): Tile {
  // One message for both sides, so the engine and the in-process service answer the very same request.
  const req = create(route.schema as DescMessage, init as MessageInitShape<DescMessage>);
  return {
    name,
    rpc: route.rpc,
    call: (client) => (client[route.client] as (r: unknown) => Promise<unknown>)(req),
    inProcess: (service, projectId) => (service[route.service] as (r: unknown, p: string) => Promise<unknown>)(req, projectId),
  };
}

const hasSeries = (x: unknown) => typeof x === "object" && x !== null && Array.isArray((x as { series?: unknown }).series);

/** Every request firstLoad(range) makes, as tiles; `skipped` names entries of a shape this bench cannot route. */
export function firstLoadTiles(range: Range): { tiles: Tile[]; skipped: string[] } {
  const tiles: Tile[] = [];
  const skipped: string[] = [];
  for (const [key, value] of Object.entries(firstLoad(range) as Record<string, unknown>)) {
    const known = (byKey as Record<string, Route>)[key];
    if (known) tiles.push(tile(key, known, value));
    else if (Array.isArray(value) && value.every(hasSeries))
      value.forEach((v, i) => {
        tiles.push(tile(`${key}: ${(v as { breakdown?: string }).breakdown || `#${i}`}`, trendsRpc, v));
      });
    else if (hasSeries(value)) tiles.push(tile(key, trendsRpc, value));
    else skipped.push(key);
  }
  return { tiles, skipped };
}
