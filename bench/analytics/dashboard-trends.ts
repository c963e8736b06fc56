import { create, type MessageInitShape, toJson } from "@bufbuild/protobuf";
import { createTrendsQuery } from "../../analytics/insights/trends-query.js";
import { defaultProjectId } from "../../core/access/project-model.js";
import { QueryTrendsRequestSchema } from "../../gen/insightplus/v1/analytics_service_pb.js";
import type { ClickHouseRig } from "./analytics-clickhouse.js";
import { apiTarget, type TimingOptions } from "./analytics-compare.js";
import type { ResultRow } from "./analytics-report.js";
import { interleaved } from "./analytics-timing.js";
import { createAnalyticsClient, restPost } from "./dashboard-client.js";

type TrendsInit = MessageInitShape<typeof QueryTrendsRequestSchema>;

const last30 = { days: 30, tz: "UTC" } as const;

/** Representative insights over the bench dataset's events and properties (analytics-dataset.ts). */
export const trendsCases: Array<{ name: string; init: TrendsInit }> = [
  { name: "all events, total per day", init: { ...last30, interval: "day", series: [{ math: "total" }] } },
  { name: "unique users per week, compare", init: { ...last30, interval: "week", compare: true, series: [{ math: "unique_users" }] } },
  { name: "by event name, top 10", init: { ...last30, interval: "day", series: [{ math: "total" }], breakdownType: "event", breakdownLimit: 10 } },
  {
    name: "feature = reports, users per day",
    init: {
      ...last30,
      interval: "day",
      series: [{ event: "most_used_feature", math: "unique_users" }],
      filters: [{ property: "feature", operator: "equals", value: "reports" }],
    },
  },
  {
    name: "most_used_feature by feature, top 5",
    init: { ...last30, interval: "day", series: [{ event: "most_used_feature", math: "total" }], breakdown: "feature", breakdownLimit: 5 },
  },
];

export type TrendsApi = "rest" | "connect";

/** The current period's numbers, keyed by series and breakdown value, from either answer (JSON leaves out zeros and empty strings). */
function numbers(answer: any): string {
  const results: any[] = answer?.current?.results ?? [];
  const byKey = results.map((r) => [`${r.series ?? 0}|${r.breakdownValue ?? ""}`, r.aggregate ?? 0, (r.values ?? []).map(Number)]);
  return JSON.stringify(byKey.sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
}

/**
 * Each insights request through the engine (REST POST or Connect QueryTrends)
 * next to createTrendsQuery over the very store the engine's SQL runs on,
 * with the same request message and the default project, interleaved as
 * compareRoutes does; ratio = API p50 / direct p50. The answers' numbers must agree.
 */
export async function compareTrends(rig: ClickHouseRig, apis: TrendsApi[], t: TimingOptions, log: (s: string) => void): Promise<ResultRow[]> {
  const trends = createTrendsQuery({ store: async () => rig.store, now: Date.now });
  const { client, close } = createAnalyticsClient(rig.engineUrl, "2");
  const rows: ResultRow[] = [];
  try {
    for (const c of trendsCases) {
      const req = create(QueryTrendsRequestSchema, c.init);
      const direct = () => trends(req, defaultProjectId);
      for (const api of apis) {
        const viaApi =
          api === "rest" ? restPost(`${rig.engineUrl}/api/v1/analytics/insights/trends`, toJson(QueryTrendsRequestSchema, req)) : () => client.queryTrends(req);
        const same = await Promise.all([viaApi(), direct()]).then(
          ([a, d]) => (numbers(api === "rest" ? a : JSON.parse(JSON.stringify(a))) === numbers(d) ? undefined : "API and direct answers differ"),
          (e: unknown) => (e as Error).message.split("\n")[0].slice(0, 200),
        );
        const p = await interleaved(viaApi, direct, t);
        const ratio = p.a.p50 / p.b.p50;
        const note = p.error ?? same;
        rows.push({
          db: "clickhouse",
          figure: `trends ${c.name}: ${api === "rest" ? "REST" : "Connect"} vs direct`,
          measured: p.a,
          baseline: p.b,
          ratio,
          target: `≤ ${apiTarget.toFixed(2)}×`,
          pass: !note && ratio <= apiTarget,
          note,
        });
        log(
          `  trends ${c.name} (${api}): API p50 ${p.a.p50.toFixed(1)} ms, direct p50 ${p.b.p50.toFixed(1)} ms (${p.a.samples.length} pairs)${note ? ` — ${note}` : ""}`,
        );
      }
    }
  } finally {
    close();
  }
  return rows;
}
