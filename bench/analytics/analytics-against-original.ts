import type { AnalyticsStore } from "../../analytics/analytics-store.js";
import { resolveRange } from "../../analytics/time-range.js";
import { defaultProjectId } from "../../core/access/project-model.js";
import type { SqlClient } from "../../storage/postgres/sql-client.js";
import type { TimingOptions } from "./analytics-compare.js";
import type { ResultRow } from "./analytics-report.js";
import { interleaved } from "./analytics-timing.js";

/**
 * The original project's PostgreSQL queries for the questions it asked (read
 * from its analytics.service.ts), run on the same pool next to our store's:
 * our answers are stricter (time ranges, zones, distinct uuids), and must not
 * cost more. Ratio = ours p50 / the original's p50 (lower is better).
 */
const original = {
  "most-used-feature": `SELECT properties->>'feature' AS feature, COUNT(*) AS usage_count FROM events
    WHERE event='most_used_feature' GROUP BY 1 ORDER BY usage_count DESC LIMIT 20`, // by position: our table has a feature column
  "total-events": "SELECT COUNT(*) AS total_events FROM events",
  "total-users": "SELECT COUNT(DISTINCT distinct_id) AS total_users FROM events",
  "conversion-funnel": `SELECT COUNT(DISTINCT CASE WHEN event='user_registered' THEN distinct_id END) AS signed_up,
    COUNT(DISTINCT CASE WHEN event='payment_success' THEN distinct_id END) AS paid_users FROM events`,
  dau: `SELECT date_trunc('day', event_timestamp)::date AS day, COUNT(DISTINCT distinct_id) AS dau FROM events
    WHERE event_timestamp >= now() - interval '30 days' GROUP BY day ORDER BY day`,
};

export const originalTarget = 1.0;

export async function compareWithOriginal(sql: SqlClient, store: AnalyticsStore, t: TimingOptions, log: (s: string) => void): Promise<ResultRow[]> {
  const all = () => ({ projectId: defaultProjectId, ...resolveRange({ tz: "UTC", from: "", to: "" }, Date.now()) });
  const ours: Record<keyof typeof original, () => Promise<unknown>> = {
    "most-used-feature": () => store.topFeatures(all(), 10),
    "total-events": () => store.totalEvents(all()),
    "total-users": () => store.totalUsers(all()),
    "conversion-funnel": () => store.registeredToPaid(all()),
    dau: () => store.dailyActiveUsers({ projectId: defaultProjectId, ...resolveRange({ tz: "UTC", from: "", to: "", count: 30 }, Date.now()) }),
  };
  const rows: ResultRow[] = [];
  for (const [name, query] of Object.entries(original) as Array<[keyof typeof original, string]>) {
    const p = await interleaved(ours[name], () => sql.query(query), t);
    const ratio = p.a.p50 / p.b.p50;
    rows.push({
      db: "postgres",
      figure: `${name}: ours vs the original's SQL`,
      measured: p.a,
      baseline: p.b,
      ratio,
      target: `≤ ${originalTarget.toFixed(2)}×`,
      pass: !p.error && ratio <= originalTarget * 1.05,
      note: p.error,
    });
    log(`  postgres ${name}: ours p50 ${p.a.p50.toFixed(1)} ms, the original's p50 ${p.b.p50.toFixed(1)} ms`);
  }
  return rows;
}
