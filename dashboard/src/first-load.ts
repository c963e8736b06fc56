import type { MessageInitShape } from "@bufbuild/protobuf";
import type {
  GetConversionFunnelRequestSchema,
  GetFunnelRequestSchema,
  GetMostActiveUsersRequestSchema,
  GetMostUsedFeatureRequestSchema,
  GetRetentionRequestSchema,
  QueryTrendsRequestSchema,
} from "../../gen/insightplus/v1/analytics_service_pb.js";
import { addDays } from "./format.js";

/** The range the dashboard shows: inclusive local dates and the zone. */
export interface Range {
  from: string;
  to: string;
  tz: string;
}

type Trends = MessageInitShape<typeof QueryTrendsRequestSchema>;

/** A property tile: a breakdown of every event by this property, and what to say when no event carries it. */
export const propertyTiles = [
  { id: "pages", title: "Top pages", property: "$pathname", fallback: "path" },
  { id: "referrers", title: "Top referrers", property: "$referring_domain" },
  { id: "browsers", title: "Browsers", property: "$browser" },
  { id: "countries", title: "Countries", property: "$geoip_country_code" },
] as const;

/** The range of the same number of days just before `r`. */
export function previousOf(r: Range): Range {
  const days = Math.round((Date.parse(r.to) - Date.parse(r.from)) / 86_400_000) + 1;
  return { from: addDays(r.from, -days), to: addDays(r.from, -1), tz: r.tz };
}

/** The registration and payment events of the original project's questions. */
export const registered = "user_registered";
export const paid = "payment_success";

/**
 * Every request the dashboard's first screen makes, all at once (the bench
 * replays exactly these: bench/analytics/dashboard-bench.ts). The main chart's
 * own query is `mainChart`, changed by the series, filter and breakdown controls;
 * as the dashboard opens it also answers the events KPI (api.ts shares the call).
 */
export function firstLoad(r: Range) {
  const bounds = { from: r.from, to: r.to, tz: r.tz };
  /** Distinct users in the `days` days ending at the range's last day, and in the `days` before them. */
  const activeIn = (days: number): Trends => ({
    ...bounds,
    from: addDays(r.to, -(days - 1)),
    interval: "month",
    compare: true,
    series: [{ math: "unique_users" }],
  });
  return {
    /** Users with user_registered (the new users KPI), against the previous period. */
    newUsers: { ...bounds, interval: "month", compare: true, series: [{ event: registered, math: "unique_users" }] } satisfies Trends,
    /** Distinct users per day over the range (the KPI is their mean over the days so far). */
    dau: { ...bounds, interval: "day", compare: true, series: [{ math: "unique_users" }] } satisfies Trends,
    wau: activeIn(7),
    mau: activeIn(30),
    conversion: bounds satisfies MessageInitShape<typeof GetConversionFunnelRequestSchema>,
    /** The same for the period of the same length just before (as the trends comparison takes it). */
    conversionBefore: { ...previousOf(r) } satisfies MessageInitShape<typeof GetConversionFunnelRequestSchema>,
    /** Also the events KPI (its aggregate and the previous period's): the dashboard asks it once. */
    mainChart: mainChart(r, defaultChart),
    topEvents: { ...bounds, interval: "month", series: [{ math: "total" }], breakdownType: "event", breakdownLimit: 10 } satisfies Trends,
    properties: propertyTiles.map((t) => propertyTile(r, t.property)),
    feature: bounds satisfies MessageInitShape<typeof GetMostUsedFeatureRequestSchema>,
    powerUsers: { ...bounds, limit: 10 } satisfies MessageInitShape<typeof GetMostActiveUsersRequestSchema>,
    funnel: { ...bounds, steps: [registered, paid], windowDays: 14 } satisfies MessageInitShape<typeof GetFunnelRequestSchema>,
    retention: { ...bounds, startEvent: registered, period: "day", periods: 7 } satisfies MessageInitShape<typeof GetRetentionRequestSchema>,
  };
}

export interface ChartChoice {
  series: Array<{ event: string; math: string; mathProperty?: string }>;
  filters: Array<{ property: string; operator: string; value: string }>;
  breakdown: string;
  interval: string;
  /** Draw the previous period of the same length too. */
  compare: boolean;
}

/** The main chart as the dashboard opens: every event, per day, against the previous period. */
export const defaultChart: ChartChoice = { series: [{ event: "", math: "total" }], filters: [], breakdown: "", interval: "day", compare: true };

export function mainChart(r: Range, c: ChartChoice): Trends {
  return {
    from: r.from,
    to: r.to,
    tz: r.tz,
    interval: c.interval,
    series: c.series.map((s) => ({ event: s.event, math: s.math, mathProperty: s.mathProperty ?? "" })),
    filters: c.filters,
    compare: c.compare,
    ...(c.breakdown ? { breakdown: c.breakdown, breakdownLimit: 5 } : {}),
  };
}

/** Distinct users per value of a property, among the events that carry it. */
export function propertyTile(r: Range, property: string): Trends {
  return {
    from: r.from,
    to: r.to,
    tz: r.tz,
    interval: "month",
    series: [{ math: "unique_users" }],
    filters: [{ property, operator: "is_set", value: "" }],
    breakdown: property,
    breakdownLimit: 8,
  };
}
