import type { JsonObject } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AnalyticsService } from "../../analytics/analytics-service.js";
import type { LiveTail } from "../../analytics/live-tail.js";
import type { StoredEvent } from "../../core/events/event-model.js";
import type { AnalyticsService as AnalyticsServiceDesc } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { projectOf } from "../access/principal-context.js";

const n = (x: number) => BigInt(x);
const days = (r: Awaited<ReturnType<AnalyticsService["dailyActiveUsers"]>>) => ({ days: r.days.map((d) => ({ date: d.date, users: n(d.users) })) });
const months = (r: Awaited<ReturnType<AnalyticsService["monthlyActiveUsers"]>>) => ({ months: r.months.map((m) => ({ month: m.month, users: n(m.users) })) });
const feature = (r: Awaited<ReturnType<AnalyticsService["mostUsedFeature"]>>) => ({
  feature: r.feature,
  count: n(r.count),
  top: r.top.map((f) => ({ feature: f.feature, count: n(f.count) })),
});
const funnel = (r: Awaited<ReturnType<AnalyticsService["conversionFunnel"]>>) => ({
  registered: n(r.registered),
  paid: n(r.paid),
  conversionRate: r.conversionRate,
});
const active = (r: Awaited<ReturnType<AnalyticsService["mostActiveUsers"]>>) => ({
  users: r.users.map((u) => ({ distinctId: u.distinctId, events: n(u.events) })),
});
const funnelSteps = (r: Awaited<ReturnType<AnalyticsService["funnel"]>>) => ({
  windowDays: r.windowDays,
  steps: r.steps.map((s) => ({ ...s, users: n(s.users) })),
});
const cohorts = (r: Awaited<ReturnType<AnalyticsService["retention"]>>) => ({
  period: r.period,
  cohorts: r.cohorts.map((c) => ({ ...c, users: n(c.users), returning: c.returning.map(n) })),
});
const trend = (r: Awaited<ReturnType<AnalyticsService["trend"]>>) => ({
  dates: r.dates,
  series: r.series.map((s) => ({ value: s.value, counts: s.counts.map(n), total: n(s.total) })),
});
const tailed = (e: StoredEvent) => ({
  uuid: e.uuid,
  event: e.event,
  distinctId: e.distinctId,
  timestamp: new Date(e.timestampMs).toISOString(),
  properties: JSON.parse(e.propertiesJson) as JsonObject,
});

/** Thin AnalyticsService implementation: messages in, domain answers out (counts as int64). */
export function createAnalyticsRpc(
  analytics: AnalyticsService,
  liveTail: LiveTail,
  projectName: (projectId: string) => string | undefined,
): ServiceImpl<typeof AnalyticsServiceDesc> {
  return {
    getCurrentProject: async (_req, ctx) => ({ projectId: projectOf(ctx), name: projectName(projectOf(ctx)) ?? projectOf(ctx) }),
    async *tailEvents(req, ctx) {
      for await (const batch of liveTail.tail({ projectId: projectOf(ctx), events: req.events, signal: ctx.signal })) {
        yield { events: batch.events.map(tailed), skipped: n(batch.skipped) };
      }
    },
    getDailyActiveUsers: async (req, ctx) => days(await analytics.dailyActiveUsers(req, projectOf(ctx))),
    getMonthlyActiveUsers: async (req, ctx) => months(await analytics.monthlyActiveUsers(req, projectOf(ctx))),
    getTotalUsers: async (req, ctx) => ({ totalUsers: n((await analytics.totalUsers(req, projectOf(ctx))).totalUsers) }),
    getTotalEvents: async (req, ctx) => ({ totalEvents: n((await analytics.totalEvents(req, projectOf(ctx))).totalEvents) }),
    getMostUsedFeature: async (req, ctx) => feature(await analytics.mostUsedFeature(req, projectOf(ctx))),
    getConversionFunnel: async (req, ctx) => funnel(await analytics.conversionFunnel(req, projectOf(ctx))),
    getMostActiveUsers: async (req, ctx) => active(await analytics.mostActiveUsers(req, projectOf(ctx))),
    getFunnel: async (req, ctx) => funnelSteps(await analytics.funnel(req, projectOf(ctx))),
    getRetention: async (req, ctx) => cohorts(await analytics.retention(req, projectOf(ctx))),
    getTrend: async (req, ctx) => trend(await analytics.trend(req, projectOf(ctx))),
    queryTrends: (req, ctx) => analytics.trends(req, projectOf(ctx)),
    async getPerson(req, ctx) {
      const p = await analytics.person(req, projectOf(ctx));
      return { distinctId: p.distinctId, properties: p.properties as JsonObject, linkedIds: p.linkedIds };
    },
    async getAllAnalytics(req, ctx) {
      const r = await analytics.all(req, projectOf(ctx));
      return {
        dau: days(r.dau),
        mau: months(r.mau),
        totalUsers: { totalUsers: n(r.totalUsers.totalUsers) },
        totalEvents: { totalEvents: n(r.totalEvents.totalEvents) },
        mostUsedFeature: feature(r.mostUsedFeature),
        conversionFunnel: funnel(r.conversionFunnel),
        mostActiveUsers: active(r.mostActiveUsers),
        funnel: funnelSteps(r.funnel),
        retention: cohorts(r.retention),
        trends: trend(r.trends),
      };
    },
  };
}
