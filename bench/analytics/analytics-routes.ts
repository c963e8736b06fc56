import type { AnalyticsStore, Scope } from "../../analytics/analytics-store.js";
import { resolveRange } from "../../analytics/time-range.js";
import { defaultProjectId } from "../../core/access/project-model.js";
import { benchReadHeaders } from "../shared/bench-keys.js";

/**
 * Each REST request the bench times, next to the store call the server makes
 * for it: the same Scope (resolveRange with the route's defaults, as
 * analytics-service.ts computes it), hence the same SQL, minus Fastify,
 * validation, shaping and JSON encoding.
 */
export interface RouteCase {
  name: string;
  /** Path and query under /api/v1/analytics/. */
  path: string;
  direct(store: AnalyticsStore): Promise<unknown>;
}

const range = (q: { tz?: string; count?: number; unit?: "day" | "month" } = {}): Scope => ({
  projectId: defaultProjectId,
  ...resolveRange({ tz: q.tz ?? "", from: "", to: "", count: q.count, unit: q.unit }, Date.now()),
});

const funnelSteps = ["user_registered", "page_view", "payment_success"];

/** The ten questions `all` runs concurrently, with their defaults. */
function everything(s: AnalyticsStore) {
  return Promise.all([
    s.dailyActiveUsers(range({ count: 30 })),
    s.monthlyActiveUsers(range({ count: 6, unit: "month" })),
    s.totalUsers(range()),
    s.totalEvents(range()),
    s.topFeatures(range(), 10),
    s.registeredToPaid(range()),
    s.mostActiveUsers(range(), 10),
    s.funnel(range({ count: 30 }), ["user_registered", "payment_success"], 14 * 86_400, []),
    s.retention(range({ count: 14 }), { startEvent: "user_registered", returnEvent: "", period: "day", periods: 7, filters: [] }),
    s.trend(range({ count: 30 }), { event: "most_used_feature", property: "feature" }),
  ]);
}

export const routeCases: RouteCase[] = [
  { name: "dau", path: "dau", direct: (s) => s.dailyActiveUsers(range({ count: 30 })) },
  { name: "dau tz=America/New_York", path: "dau?tz=America/New_York", direct: (s) => s.dailyActiveUsers(range({ count: 30, tz: "America/New_York" })) },
  { name: "dau tz=Asia/Kolkata", path: "dau?tz=Asia/Kolkata", direct: (s) => s.dailyActiveUsers(range({ count: 30, tz: "Asia/Kolkata" })) },
  { name: "mau", path: "mau", direct: (s) => s.monthlyActiveUsers(range({ count: 6, unit: "month" })) },
  {
    name: "mau tz=America/New_York",
    path: "mau?tz=America/New_York",
    direct: (s) => s.monthlyActiveUsers(range({ count: 6, unit: "month", tz: "America/New_York" })),
  },
  { name: "mau tz=Asia/Kolkata", path: "mau?tz=Asia/Kolkata", direct: (s) => s.monthlyActiveUsers(range({ count: 6, unit: "month", tz: "Asia/Kolkata" })) },
  { name: "total-users", path: "total-users", direct: (s) => s.totalUsers(range()) },
  { name: "total-events", path: "total-events", direct: (s) => s.totalEvents(range()) },
  { name: "most-used-feature", path: "most-used-feature", direct: (s) => s.topFeatures(range(), 10) },
  { name: "conversion-funnel", path: "conversion-funnel", direct: (s) => s.registeredToPaid(range()) },
  { name: "most-active-users", path: "most-active-users", direct: (s) => s.mostActiveUsers(range(), 10) },
  {
    name: "funnel (3 steps, 14 d)",
    path: `funnel?${funnelSteps.map((x) => `steps=${x}`).join("&")}&window_days=14`,
    direct: (s) => s.funnel(range({ count: 30 }), funnelSteps, 14 * 86_400, []),
  },
  {
    name: "retention (week, 8)",
    path: "retention?start_event=user_registered&period=week&periods=8",
    direct: (s) => s.retention(range({ count: 56 }), { startEvent: "user_registered", returnEvent: "", period: "week", periods: 8, filters: [] }),
  },
  {
    name: "trends (feature, top 5)",
    path: "trends?event=most_used_feature&breakdown=feature&top=5",
    direct: (s) => s.trend(range({ count: 30 }), { event: "most_used_feature", property: "feature" }),
  },
  { name: "all", path: "all", direct: everything },
];

/** A small answer check: REST and the direct call must agree on a few totals (the same SQL really ran). */
export async function crossCheck(baseUrl: string, store: AnalyticsStore): Promise<string[]> {
  const get = async (p: string) => (await fetch(`${baseUrl}/api/v1/analytics/${p}`, { headers: benchReadHeaders })).json() as Promise<Record<string, unknown>>;
  const problems: string[] = [];
  const te = await get("total-events");
  if (Number(te.totalEvents) !== (await store.totalEvents(range()))) problems.push(`total-events: REST ${te.totalEvents} ≠ direct`);
  const dau = (await get("dau?tz=Asia/Kolkata")).days as Array<{ date: string; users: string }>;
  const direct = new Map((await store.dailyActiveUsers(range({ count: 30, tz: "Asia/Kolkata" }))).map((x) => [x.date, x.users]));
  for (const d of dau)
    if (Number(d.users) !== (direct.get(d.date) ?? 0)) problems.push(`dau Asia/Kolkata ${d.date}: REST ${d.users} ≠ direct ${direct.get(d.date)}`);
  return problems;
}
