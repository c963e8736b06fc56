import type { AnalyticsStore, Scope } from "../../analytics/analytics-store.js";
import { coversEveryStoredTime } from "../../core/events/event-time-bounds.js";
import { createPostgresInsights } from "./postgres-insights.js";
import { createPostgresPeople } from "./postgres-people.js";
import { createPostgresProperties } from "./postgres-properties.js";
import type { SqlClient } from "./sql-client.js";

/**
 * The questions in PostgreSQL SQL (server and PGlite alike). Values travel
 * only as $n parameters. Event times are compared at whole seconds, as
 * ClickHouse stores them, so both databases answer alike.
 */
export function createPostgresAnalytics(db: SqlClient, now: () => number = Date.now): AnalyticsStore {
  // $1, $2 = range in epoch ms, $3 = zone, $4 = project; further parameters follow.
  const bounded = "project_id = $4 AND event_timestamp >= to_timestamp($1 / 1000.0) AND event_timestamp < to_timestamp($2 / 1000.0)";
  // A range holding every stored time (the "all time" totals) filters nothing: without the filter the planner
  // counts the table as the original project's `SELECT count(*) FROM events` does (bench:analytics 1M rows,
  // total-events 40 → 28 ms). The parameters are still referenced, so every query takes the same list.
  const within = (r: Scope) => (coversEveryStoredTime(r, now()) ? "project_id = $4 AND $1::float8 IS NOT NULL AND $2::float8 IS NOT NULL" : bounded);
  const local = (col: string) => `(${col} AT TIME ZONE $3)`;
  const base = (r: Scope) => [r.startMs, r.endMs, r.tz, r.projectId];
  /**
   * Distinct users per local day or month. Grouped on the local date and formatted after: to_char on every
   * row cost 595 against 378 ms for 30 days of bench:analytics' 1M rows (EXPLAIN ANALYZE); the original
   * project's date_trunc took 420.
   */
  async function usersPer(unit: "day" | "month", r: Scope) {
    const [key, format] =
      unit === "day" ? [`${local("event_timestamp")}::date`, "YYYY-MM-DD"] : [`date_trunc('month', ${local("event_timestamp")})`, "YYYY-MM"];
    const out = await db.query<{ k: string; users: string }>(
      `SELECT to_char(d, '${format}') AS k, users FROM (
         SELECT ${key} AS d, count(DISTINCT distinct_id) AS users FROM events WHERE ${within(r)} GROUP BY 1) per ORDER BY d`,
      base(r),
    );
    return out.map((x) => ({ k: x.k, users: Number(x.users) }));
  }
  const people = createPostgresPeople(db);
  const prop = (param: string) => `CASE WHEN jsonb_typeof(properties -> ${param}) = 'string' THEN properties ->> ${param} ELSE '' END`;

  return {
    async dailyActiveUsers(r) {
      return (await usersPer("day", r)).map((x) => ({ date: x.k, users: x.users }));
    },
    async monthlyActiveUsers(r) {
      return (await usersPer("month", r)).map((x) => ({ month: x.k, users: x.users }));
    },
    async totalUsers(r) {
      const [x] = await db.query<{ n: string }>(`SELECT count(DISTINCT distinct_id) AS n FROM events WHERE ${within(r)} AND $3::text IS NOT NULL`, base(r));
      return Number(x.n);
    },
    async totalEvents(r) {
      const [x] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE ${within(r)} AND $3::text IS NOT NULL`, base(r));
      return Number(x.n);
    },
    async topFeatures(r, limit) {
      const out = await db.query<{ feature: string; n: string }>(
        // The stored feature column (migration 2): a plain text column the planner hashes.
        `SELECT feature COLLATE "C" AS feature, count(*) AS n FROM events
         WHERE event = 'most_used_feature' AND ${within(r)} AND $3::text IS NOT NULL AND feature <> ''
         GROUP BY 1 ORDER BY n DESC, feature ASC LIMIT $5`,
        [...base(r), limit],
      );
      return out.map((x) => ({ feature: x.feature, count: Number(x.n) }));
    },
    async registeredToPaid(r) {
      const [x] = await db.query<{ registered: string; paid: string }>(
        `SELECT count(*) FILTER (WHERE reg) AS registered, count(*) FILTER (WHERE reg AND pay) AS paid FROM (
           SELECT distinct_id, bool_or(event = 'user_registered') AS reg, bool_or(event = 'payment_success') AS pay
           FROM events WHERE event IN ('user_registered', 'payment_success') AND ${within(r)} AND $3::text IS NOT NULL
           GROUP BY distinct_id) u`,
        base(r),
      );
      return { registered: Number(x.registered), paid: Number(x.paid) };
    },
    async mostActiveUsers(r, limit) {
      const out = await db.query<{ distinct_id: string; n: string }>(
        `SELECT distinct_id, count(*) AS n FROM events WHERE ${within(r)} AND $3::text IS NOT NULL
         GROUP BY distinct_id ORDER BY n DESC, distinct_id COLLATE "C" ASC LIMIT $5`,
        [...base(r), limit],
      );
      return out.map((x) => ({ distinctId: x.distinct_id, events: Number(x.n) }));
    },
    async funnel(r, steps, windowSeconds, filters) {
      const params: unknown[] = [...base(r), windowSeconds, ...steps];
      const matching = createPostgresProperties(params, "e.properties").where(filters);
      const [x] = await db.query<Record<string, string>>(funnelSql(steps.length, matching), params);
      return steps.map((_, i) => Number(x[`s${i + 1}`]));
    },
    async retention(r, q) {
      const params: unknown[] = [...base(r), q.startEvent, q.returnEvent, q.periods];
      const matching = createPostgresProperties(params).where(q.filters);
      const unit = (col: string) => (q.period === "week" ? `date_trunc('week', ${local(col)})::date` : `${local(col)}::date`);
      const step = q.period === "week" ? 7 : 1;
      const out = await db.query<{ cohort: string; k: string; users: string }>(
        `WITH cohorts AS (
           SELECT distinct_id, ${unit("min(event_timestamp)")} AS cohort FROM events
           WHERE event = $5 AND ${within(r)}${matching} GROUP BY distinct_id),
         active AS (
           SELECT DISTINCT distinct_id, ${unit("event_timestamp")} AS period FROM events
           WHERE ($6 = '' OR event = $6) AND ${within(r)}${matching})
         SELECT to_char(c.cohort, 'YYYY-MM-DD') AS cohort, (a.period - c.cohort) / ${step} AS k, count(DISTINCT c.distinct_id) AS users
         FROM cohorts c JOIN active a ON a.distinct_id = c.distinct_id
         WHERE a.period > c.cohort AND (a.period - c.cohort) / ${step} <= $7
         GROUP BY 1, 2
         UNION ALL
         SELECT to_char(cohort, 'YYYY-MM-DD'), 0, count(*) FROM cohorts GROUP BY 1`,
        params,
      );
      return out.map((x) => ({ cohort: x.cohort, k: Number(x.k), users: Number(x.users) }));
    },
    async trend(r, q) {
      const out = await db.query<{ d: string; value: string; n: string }>(
        `SELECT to_char(${local("event_timestamp")}, 'YYYY-MM-DD') AS d, ${prop("$6")} AS value, count(*) AS n
         FROM events WHERE event = $5 AND ${within(r)} GROUP BY 1, 2`,
        [...base(r), q.event, q.property],
      );
      return out.map((x) => ({ date: x.d, value: x.value, count: Number(x.n) }));
    },
    ...createPostgresInsights(db),
    person: (projectId, distinctId) => people.person(projectId, distinctId),
  };
}

/**
 * Ordered funnel: from each first-step event, the earliest next step at or
 * after the previous one, all within the window of the first (the semantics
 * of ClickHouse's windowFunnel). The SQL's shape depends only on the number
 * of steps and the filters; the window is $5, the step names are parameters
 * ($6…), then the filters' keys and values.
 */
function funnelSql(n: number, matching: string): string {
  const sec = (col: string) => `date_trunc('second', ${col})`;
  const within = `e.project_id = $4 AND e.event_timestamp >= to_timestamp($1 / 1000.0) AND e.event_timestamp < to_timestamp($2 / 1000.0) AND $3::text IS NOT NULL${matching}`;
  let joins = "";
  for (let i = 2; i <= n; i++) {
    joins += ` LEFT JOIN LATERAL (SELECT min(${sec("e.event_timestamp")}) AS t FROM events e
      WHERE e.distinct_id = s.distinct_id AND e.event = $${i + 5} AND ${within}
        AND ${sec("e.event_timestamp")} >= t${i - 1}.t AND ${sec("e.event_timestamp")} <= s.t + make_interval(secs => $5)) t${i} ON true`;
  }
  const level = ["1", ...Array.from({ length: n - 1 }, (_, i) => `(t${i + 2}.t IS NOT NULL)::int`)].join(" + ");
  const counts = Array.from({ length: n }, (_, i) => `count(*) FILTER (WHERE level >= ${i + 1}) AS s${i + 1}`).join(", ");
  return `SELECT ${counts} FROM (
    SELECT s.distinct_id, max(${level}) AS level FROM (
      SELECT e.distinct_id, ${sec("e.event_timestamp")} AS t FROM events e WHERE e.event = $6 AND ${within}) s
    CROSS JOIN LATERAL (SELECT s.t) t1${joins}
    GROUP BY s.distinct_id) u`;
}
