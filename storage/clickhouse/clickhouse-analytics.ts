import type { ClickHouseClient } from "@clickhouse/client";
import type { AnalyticsStore, Scope } from "../../analytics/analytics-store.js";
import { daysStartOnWholeHours } from "../../analytics/time-range.js";
import { createClickHouseEventCounts, featureEvent } from "./clickhouse-event-counts.js";
import { createClickHouseInsights } from "./clickhouse-insights.js";
import { chDateTime, chInt, chString } from "./clickhouse-literal.js";
import { createClickHousePeople } from "./clickhouse-people.js";
import { createClickHousePowerUsers } from "./clickhouse-power-users.js";
import { createClickHouseProperties } from "./clickhouse-properties.js";
import { createClickHouseStandardProperties } from "./clickhouse-standard-properties.js";

/**
 * The questions in ClickHouse SQL that runs on 18.16 and on current releases.
 * Every value reaches the SQL through clickhouse-literal.ts. Event counts use
 * uniqExact(uuid): ReplacingMergeTree folds redelivered copies only when it
 * merges, so a plain count() could count one event twice.
 */
export async function createClickHouseAnalytics(client: ClickHouseClient): Promise<AnalyticsStore> {
  const [{ version }] = await rows<{ version: string }>("SELECT version() AS version");
  const p = createClickHouseProperties(version);

  async function rows<T>(query: string): Promise<T[]> {
    return (await client.query({ query, format: "JSONEachRow" })).json<T>();
  }
  // The project leads both tables' sort keys: its condition comes first.
  const within = (r: Scope) =>
    `project_id = ${chString(r.projectId)} AND event_timestamp >= ${chDateTime(r.startMs)} AND event_timestamp < ${chDateTime(r.endMs)}`;
  const day = (r: Scope) => `toDate(event_timestamp, ${chString(r.tz)})`;
  // Distinct-user questions read the hourly rollup when local days are whole
  // UTC hours; other zones (e.g. +05:30) scan the events.
  const fromRollup = (r: Scope) => daysStartOnWholeHours(r);
  const people = createClickHousePeople(client);
  // The rollups' rows of the scope: whole UTC hours, led by the project as their sort keys are.
  const hours = (r: Scope) => `project_id = ${chString(r.projectId)} AND hour >= ${chDateTime(r.startMs)} AND hour < ${chDateTime(r.endMs)}`;
  const counts = createClickHouseEventCounts(rows, p.string("feature"), hours);
  const insights = createClickHouseInsights(rows, p, { within, hours }, { counts, keys: createClickHouseStandardProperties(rows, within) });

  return {
    async dailyActiveUsers(r) {
      const out = await rows<{ d: string; users: string }>(
        fromRollup(r)
          ? `SELECT toString(toDate(hour, ${chString(r.tz)})) AS d, uniqExact(user) AS users FROM project_user_hours WHERE ${hours(r)} GROUP BY d ORDER BY d`
          : `SELECT toString(${day(r)}) AS d, uniqExact(distinct_id) AS users FROM events WHERE ${within(r)} GROUP BY d ORDER BY d`,
      );
      return out.map((x) => ({ date: x.d, users: Number(x.users) }));
    },
    async monthlyActiveUsers(r) {
      const out = await rows<{ m: string; users: string }>(
        fromRollup(r)
          ? `SELECT toString(toStartOfMonth(hour, ${chString(r.tz)})) AS m, uniqExact(user) AS users
             FROM project_user_hours WHERE ${hours(r)} GROUP BY m ORDER BY m`
          : `SELECT toString(toStartOfMonth(event_timestamp, ${chString(r.tz)})) AS m, uniqExact(distinct_id) AS users
             FROM events WHERE ${within(r)} GROUP BY m ORDER BY m`,
      );
      return out.map((x) => ({ month: x.m.slice(0, 7), users: Number(x.users) }));
    },
    async totalUsers(r) {
      const [x] = await rows<{ n: string }>(
        fromRollup(r)
          ? `SELECT uniqExact(user) AS n FROM project_user_hours WHERE ${hours(r)}`
          : `SELECT uniqExact(distinct_id) AS n FROM events WHERE ${within(r)}`,
      );
      return Number(x.n);
    },
    // Events are counted per hour or day and summed, as in clickhouse-insights.ts (a redelivered copy has its original's time).
    async totalEvents(r) {
      const [x] = await rows<{ n: string }>(
        fromRollup(r)
          ? `SELECT sum(n) AS n FROM (${await counts.countedEvents(r, "")})`
          : `SELECT sum(n) AS n FROM (SELECT toDate(event_timestamp) AS d, uniqExact(uuid) AS n FROM events WHERE ${within(r)} GROUP BY d)`,
      );
      return Number(x.n);
    },
    async topFeatures(r, limit) {
      const out = await rows<{ feature: string; n: string }>(
        fromRollup(r)
          ? `SELECT value AS feature, sum(n) AS n FROM (${await counts.countedEvents(r, featureEvent, { byFeature: true })})
             WHERE feature != '' GROUP BY feature ORDER BY n DESC, feature ASC LIMIT ${chInt(limit)}`
          : `SELECT feature, sum(n) AS n FROM (
               SELECT ${p.string("feature")} AS feature, toDate(event_timestamp) AS d, uniqExact(uuid) AS n FROM events
               WHERE event = ${chString(featureEvent)} AND ${within(r)} GROUP BY feature, d HAVING feature != '')
             GROUP BY feature ORDER BY n DESC, feature ASC LIMIT ${chInt(limit)}`,
      );
      return out.map((x) => ({ feature: x.feature, count: Number(x.n) }));
    },
    async registeredToPaid(r) {
      const [x] = await rows<{ registered: string; paid: string }>(
        `SELECT countIf(reg = 1) AS registered, countIf(reg = 1 AND pay = 1) AS paid FROM (
           SELECT distinct_id, max(event = 'user_registered') AS reg, max(event = 'payment_success') AS pay
           FROM events WHERE event IN ('user_registered', 'payment_success') AND ${within(r)} GROUP BY distinct_id)`,
      );
      return { registered: Number(x.registered), paid: Number(x.paid) };
    },
    mostActiveUsers: createClickHousePowerUsers(rows, within),
    async funnel(r, steps, windowSeconds, filters) {
      const conditions = steps.map((s) => `event = ${chString(s)}`).join(", ");
      const out = await rows<{ level: string; users: string }>(
        `SELECT level, count() AS users FROM (
           SELECT distinct_id, windowFunnel(${chInt(windowSeconds)})(event_timestamp, ${conditions}) AS level
           FROM events WHERE event IN (${steps.map(chString).join(", ")}) AND ${within(r)}${p.where(filters)} GROUP BY distinct_id)
         GROUP BY level`,
      );
      return steps.map((_, i) => out.filter((x) => Number(x.level) >= i + 1).reduce((n, x) => n + Number(x.users), 0));
    },
    async retention(r, q) {
      const unit = (col: string) => (q.period === "week" ? `toMonday(toDate(${col}, ${chString(r.tz)}))` : `toDate(${col}, ${chString(r.tz)})`);
      const step = q.period === "week" ? 7 : 1;
      const returnFilter = q.returnEvent ? `event = ${chString(q.returnEvent)} AND ` : "";
      const matching = `${within(r)}${p.where(q.filters)}`;
      // Returning with any event, unfiltered: the days users were active come from the hourly rollup, which
      // keeps each user as the hash of their id (bench:dashboard's retention tile); otherwise from the events.
      const activeFromRollup = !q.returnEvent && q.filters.length === 0 && fromRollup(r);
      const user = activeFromRollup ? "toUUID(UUIDNumToString(sipHash128(distinct_id)))" : "distinct_id";
      const cohorts = `SELECT ${user} AS id, ${unit("min(event_timestamp)")} AS cohort FROM events
        WHERE event = ${chString(q.startEvent)} AND ${matching} GROUP BY distinct_id`;
      // From the rollup: every (user, hour) row joined to the cohorts, held in memory as the join's right side, and
      // counted as distinct users (3.5× faster than DISTINCT (user, day) first, in a throwaway run on the
      // bench:dashboard dataset). From the events: each user's distinct active days, joined to their cohort.
      const joined = activeFromRollup
        ? `(SELECT user AS id, ${unit("hour")} AS active FROM project_user_hours WHERE ${hours(r)}) AS a ALL INNER JOIN (${cohorts}) AS c`
        : `(${cohorts}) AS c ALL INNER JOIN (SELECT DISTINCT distinct_id AS id, ${unit("event_timestamp")} AS active FROM events WHERE ${returnFilter}${matching}) AS a`;
      const out = await rows<{ cohort_day: string; k: string; users: string }>(
        `SELECT toString(cohort) AS cohort_day, intDiv(toRelativeDayNum(active) - toRelativeDayNum(cohort), ${step}) AS k, uniqExact(id) AS users
         FROM ${joined} USING id
         WHERE active > cohort AND k <= ${chInt(q.periods)}
         GROUP BY cohort, k
         UNION ALL
         SELECT toString(cohort) AS cohort_day, 0 AS k, count() AS users FROM (${cohorts})
         GROUP BY cohort`,
      );
      return out.map((x) => ({ cohort: x.cohort_day, k: Number(x.k), users: Number(x.users) }));
    },
    async trend(r, q) {
      const out = await rows<{ d: string; value: string; n: string }>(
        `SELECT toString(${day(r)}) AS d, ${p.string(q.property)} AS value, uniqExact(uuid) AS n
         FROM events WHERE event = ${chString(q.event)} AND ${within(r)} GROUP BY d, value`,
      );
      return out.map((x) => ({ date: x.d, value: x.value, count: Number(x.n) }));
    },
    ...insights,
    person: (projectId, distinctId) => people.person(projectId, distinctId),
  };
}
