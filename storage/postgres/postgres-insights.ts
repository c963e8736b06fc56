import type { AnalyticsStore, Scope } from "../../analytics/analytics-store.js";
import { type InsightRowsQuery, type Interval, propertyMaths } from "../../analytics/insights/insight-query.js";
import { createPostgresProperties } from "./postgres-properties.js";
import type { SqlClient } from "./sql-client.js";

/** $1, $2 = range in epoch ms, $3 = zone, $4 = project, as in postgres-analytics.ts ($3 typed here: a query over the whole range has no bucket using it). */
const bounded = "project_id = $4 AND event_timestamp >= to_timestamp($1 / 1000.0) AND event_timestamp < to_timestamp($2 / 1000.0) AND $3::text IS NOT NULL";
const local = "(event_timestamp AT TIME ZONE $3)";

/** Buckets are grouped on the local timestamp and formatted after (to_char per row costs; see usersPer). */
const bucketKey: Record<Interval | "none", string> = {
  none: "''",
  hour: `date_trunc('hour', ${local})`,
  day: `date_trunc('day', ${local})`,
  week: `date_trunc('week', ${local})`,
  month: `date_trunc('month', ${local})`,
};

/** The trends insight in PostgreSQL SQL; the primary key keeps one row per uuid, so plain counts and sums are exact. */
export function createPostgresInsights(db: SqlClient) {
  function prepare(r: Scope, q: InsightRowsQuery) {
    const params: unknown[] = [r.startMs, r.endMs, r.tz, r.projectId];
    const p = createPostgresProperties(params);
    const event = q.event ? ` AND event = ${p.param(q.event, "text")}` : "";
    const number = propertyMaths.has(q.math) ? p.number(q.mathProperty) : "";
    const where = `${bounded}${event}${p.where(q.filters)}${number ? ` AND ${number} IS NOT NULL` : ""}`;
    const math =
      q.math === "total"
        ? "count(*)"
        : q.math === "unique_users"
          ? "count(DISTINCT distinct_id)"
          : `${q.math === "min" ? "min" : q.math === "max" ? "max" : "sum"}(${number})`;
    const breakdownValue = (b: { by: "property" | "event"; property: string } | null) => (!b ? "''" : b.by === "event" ? "event" : p.text(b.property));
    return { params, p, where, math, number, breakdownValue };
  }

  const insightRows: AnalyticsStore["insightRows"] = async (r, q) => {
    const { params, p, where, math, number, breakdownValue } = prepare(r, q);
    const b = q.breakdown;
    const kept = !b ? "true" : b.kept.length === 0 ? "false" : `${breakdownValue(b)} IN (${b.kept.map((v) => p.param(v, "text")).join(", ")})`;
    const out = await db.query<{ bucket: string; value: string; kept: boolean; n: string | number; c: string }>(
      `SELECT ${q.interval === "hour" ? `to_char(b, 'YYYY-MM-DD"T"HH24:00')` : q.interval === "none" ? "''" : "to_char(b, 'YYYY-MM-DD')"} AS bucket,
              value, kept, n, c FROM (
         SELECT ${bucketKey[q.interval]} AS b, CASE WHEN ${kept} THEN ${breakdownValue(b)} ELSE '' END AS value, ${kept} AS kept,
                ${math} AS n, ${number ? `count(${number})` : "0"} AS c
         FROM events WHERE ${where} GROUP BY 1, 2, 3) per`,
      params,
    );
    return out.map((x) => ({ bucket: x.bucket, value: x.value, kept: x.kept, n: Number(x.n), c: Number(x.c) }));
  };

  const insightTopValues: AnalyticsStore["insightTopValues"] = async (r, q, by, limit) => {
    const { params, p, where, math, number, breakdownValue } = prepare(r, q);
    const ranking = q.math === "avg" ? `sum(${number}) / count(${number})` : math;
    const out = await db.query<{ value: string }>(
      `SELECT value FROM (SELECT ${breakdownValue(by)} AS value, ${ranking} AS n FROM events WHERE ${where} GROUP BY 1) ranked
       ORDER BY n DESC, value COLLATE "C" ASC LIMIT ${p.param(limit, "int")}`,
      params,
    );
    return out.map((x) => x.value);
  };

  return { insightRows, insightTopValues };
}
