import { InvalidInputError } from "../core/errors/domain-errors.js";
import type { AnalyticsStore, Scope } from "./analytics-store.js";
import { type RawFilter, validFilters } from "./insights/filter-params.js";
import { createTrendsQuery } from "./insights/trends-query.js";
import { boundedInt, eventName, propertyName } from "./query-params.js";
import { assembleRetention, assembleTrend, zeroFillDays, zeroFillMonths } from "./series-assembly.js";
import { resolveRange } from "./time-range.js";

interface Bounds {
  tz?: string;
  from?: string;
  to?: string;
}

const rate = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

/**
 * The analytics questions with their parameters validated (each error names
 * the parameter, before any SQL runs) and their answers shaped; the SQL lives
 * behind AnalyticsStore, one implementation per database.
 */
export function createAnalyticsService(deps: { store: () => Promise<AnalyticsStore>; now?: () => number }) {
  const now = deps.now ?? Date.now;
  const scope = (projectId: string, b: Bounds, count?: number, unit?: "day" | "month"): Scope => ({
    projectId,
    ...resolveRange({ tz: b.tz ?? "", from: b.from ?? "", to: b.to ?? "", count, unit }, now()),
  });

  const service = {
    async dailyActiveUsers(q: Bounds & { days?: number }, projectId: string) {
      const r = scope(projectId, q, boundedInt(q.days, "days", 30, 1, 3650));
      return { days: zeroFillDays(r, await (await deps.store()).dailyActiveUsers(r)) };
    },
    async monthlyActiveUsers(q: Bounds & { months?: number }, projectId: string) {
      const r = scope(projectId, q, boundedInt(q.months, "months", 6, 1, 120), "month");
      return { months: zeroFillMonths(r, await (await deps.store()).monthlyActiveUsers(r)) };
    },
    // Parameters are validated before the store is touched, so a bad one never reaches the database.
    async totalUsers(q: Bounds, projectId: string) {
      const r = scope(projectId, q);
      return { totalUsers: await (await deps.store()).totalUsers(r) };
    },
    async totalEvents(q: Bounds, projectId: string) {
      const r = scope(projectId, q);
      return { totalEvents: await (await deps.store()).totalEvents(r) };
    },
    async mostUsedFeature(q: Bounds, projectId: string) {
      const r = scope(projectId, q);
      const top = await (await deps.store()).topFeatures(r, 10);
      return { feature: top[0]?.feature ?? "", count: top[0]?.count ?? 0, top };
    },
    async conversionFunnel(q: Bounds, projectId: string) {
      const r = scope(projectId, q);
      const { registered, paid } = await (await deps.store()).registeredToPaid(r);
      return { registered, paid, conversionRate: rate(paid, registered) };
    },
    async mostActiveUsers(q: Bounds & { limit?: number }, projectId: string) {
      const limit = boundedInt(q.limit, "limit", 10, 1, 1000);
      const r = scope(projectId, q);
      return { users: await (await deps.store()).mostActiveUsers(r, limit) };
    },
    async funnel(q: Bounds & { steps: string[]; windowDays?: number; days?: number; filters?: RawFilter[] }, projectId: string) {
      if (q.steps.length < 2 || q.steps.length > 10) throw new InvalidInputError("steps", "must list 2 to 10 event names");
      const steps = q.steps.map((s, i) => eventName(s, `steps[${i}]`));
      const windowDays = boundedInt(q.windowDays, "windowDays", 14, 1, 365);
      const filters = validFilters(q.filters, "filters");
      const r = scope(projectId, q, boundedInt(q.days, "days", 30, 1, 3650));
      const users = await (await deps.store()).funnel(r, steps, windowDays * 86_400, filters);
      return {
        windowDays,
        steps: steps.map((event, i) => ({
          event,
          users: users[i],
          conversionRate: rate(users[i], users[0]),
          stepConversionRate: rate(users[i], users[Math.max(0, i - 1)]),
        })),
      };
    },
    async retention(
      q: Bounds & { startEvent: string; returnEvent: string; period: string; periods?: number; days?: number; filters?: RawFilter[] },
      projectId: string,
    ) {
      const period = q.period === "" ? "day" : q.period;
      if (period !== "day" && period !== "week") throw new InvalidInputError("period", 'must be "day" or "week"');
      const periods = boundedInt(q.periods, "periods", 7, 1, 52);
      const r = scope(projectId, q, boundedInt(q.days, "days", period === "week" ? 56 : 14, 1, 3650));
      const query = {
        startEvent: eventName(q.startEvent, "startEvent"),
        returnEvent: eventName(q.returnEvent, "returnEvent", false),
        period,
        periods,
        filters: validFilters(q.filters, "filters"),
      } as const;
      const rows = await (await deps.store()).retention(r, query);
      return { period, cohorts: assembleRetention(rows, { periods, period, tz: r.tz, observedUntil: Math.min(now(), r.endMs) }) };
    },
    async trend(q: Bounds & { event: string; breakdown: string; top?: number; days?: number }, projectId: string) {
      const event = eventName(q.event, "event");
      const property = propertyName(q.breakdown, "breakdown");
      const top = boundedInt(q.top, "top", 5, 1, 50);
      const r = scope(projectId, q, boundedInt(q.days, "days", 30, 1, 3650));
      return assembleTrend(r, await (await deps.store()).trend(r, { event, property }), top);
    },
    /** The general insights query (analytics/insights/). */
    trends: createTrendsQuery({ store: deps.store, now }),
    async person(q: { distinctId: string }, projectId: string) {
      if (q.distinctId === "") throw new InvalidInputError("distinctId", "is required");
      const person = await (await deps.store()).person(projectId, q.distinctId);
      return { distinctId: q.distinctId, properties: person.properties, linkedIds: person.linked };
    },
    /** Every route but person with its defaults, run concurrently; the parameterised ones ask the original project's questions. */
    async all(q: { tz?: string }, projectId: string) {
      const b = { tz: q.tz };
      const [dau, mau, totalUsers, totalEvents, mostUsedFeature, conversionFunnel, mostActiveUsers, funnel, retention, trends] = await Promise.all([
        service.dailyActiveUsers(b, projectId),
        service.monthlyActiveUsers(b, projectId),
        service.totalUsers(b, projectId),
        service.totalEvents(b, projectId),
        service.mostUsedFeature(b, projectId),
        service.conversionFunnel(b, projectId),
        service.mostActiveUsers(b, projectId),
        service.funnel({ ...b, steps: ["user_registered", "payment_success"] }, projectId),
        service.retention({ ...b, startEvent: "user_registered", returnEvent: "", period: "" }, projectId),
        service.trend({ ...b, event: "most_used_feature", breakdown: "feature" }, projectId),
      ]);
      return { dau, mau, totalUsers, totalEvents, mostUsedFeature, conversionFunnel, mostActiveUsers, funnel, retention, trends };
    },
  };
  return service;
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
