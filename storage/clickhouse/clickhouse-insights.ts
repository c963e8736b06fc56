import type { AnalyticsStore, Scope } from "../../analytics/analytics-store.js";
import { type InsightRowsQuery, type Interval, propertyMaths } from "../../analytics/insights/insight-query.js";
import { daysStartOnWholeHours } from "../../analytics/time-range.js";
import { foldDayValues } from "../day-values-fold.js";
import type { createClickHouseEventCounts } from "./clickhouse-event-counts.js";
import { chInt, chString } from "./clickhouse-literal.js";
import type { ClickHouseProperties } from "./clickhouse-properties.js";
import type { createClickHouseStandardProperties } from "./clickhouse-standard-properties.js";

type Rows = <T>(query: string) => Promise<T[]>;
type EventCounts = ReturnType<typeof createClickHouseEventCounts>;
type StandardProperties = ReturnType<typeof createClickHouseStandardProperties>;
type By = { by: "property" | "event"; property: string } | null;

/** Day × value rows a one-pass breakdown reads at most (a month of 600 values). */
const mostDayValues = 20_000;

/**
 * The trends insight in ClickHouse SQL (18.16 and current). Events count
 * distinct uuids and property maths read one copy of each uuid: redelivered
 * copies live until ReplacingMergeTree merges them, and would add twice.
 */
export function createClickHouseInsights(
  rows: Rows,
  p: ClickHouseProperties,
  scoped: { within: (r: Scope) => string; hours: (r: Scope) => string },
  sources: { counts: EventCounts; keys: StandardProperties },
) {
  const { within, hours } = scoped;
  const { counts, keys } = sources;
  /** The label of the day / week / month bucket holding a Date expression; '' over the whole range. */
  const coarser = (interval: Exclude<Interval, "hour"> | "none", day: string) =>
    interval === "none"
      ? "''"
      : interval === "week"
        ? `toString(toMonday(${day}))`
        : interval === "month"
          ? `toString(toStartOfMonth(${day}))`
          : `toString(${day})`;
  const bucketOf = (interval: Interval | "none", tz: string, column = "event_timestamp") => {
    const date = `toDate(${column}, ${chString(tz)})`;
    if (interval !== "hour") return coarser(interval, date);
    const hour = `toHour(${column}, ${chString(tz)})`;
    return `concat(toString(${date}), 'T', if(${hour} < 10, '0', ''), toString(${hour}), ':00')`;
  };
  const breakdownValue = (b: InsightRowsQuery["breakdown"] | { by: "property" | "event"; property: string }) =>
    !b ? "''" : b.by === "event" ? "event" : p.text(b.property);
  const matching = (r: Scope, q: InsightRowsQuery) => `${within(r)}${q.event ? ` AND event = ${chString(q.event)}` : ""}${p.where(q.filters)}`;
  /** For property maths: one row per uuid with the number (and whatever else `columns` names). */
  const numbersOf = (r: Scope, q: InsightRowsQuery, columns: string) =>
    `SELECT uuid, ${columns}, any(assumeNotNull(${p.number(q.mathProperty)})) AS num
     FROM events WHERE ${matching(r, q)} AND ${p.number(q.mathProperty)} IS NOT NULL GROUP BY uuid`;
  /**
   * Events counted per local day, to be summed: a redelivered copy has its original's time, so it falls
   * on the same day and distinct uuids per day add up to distinct uuids over any longer bucket. (A client's
   * retry is stamped anew, its clock skew corrected with its own sentAt: the two differ by the network's
   * latency, and count on both days if they straddle local midnight, as per-day charts always did.) Many
   * small sets instead of one large one (bench:dashboard: a month of 6.8M events counted as one set took
   * 3.1 s, per day 1.0 s).
   */
  const eventsPerDay = (r: Scope, q: InsightRowsQuery, columns: string, groupBy: string) =>
    `SELECT toDate(event_timestamp, ${chString(r.tz)}) AS d, ${columns}, uniqExact(uuid) AS n
     FROM events WHERE ${matching(r, q)} GROUP BY d, ${groupBy}`;
  const eventMath = (q: InsightRowsQuery) => (q.math === "unique_users" ? "uniqExact(distinct_id)" : "uniqExact(uuid)");
  const numberMath = (q: InsightRowsQuery) => (q.math === "min" ? "min(num)" : q.math === "max" ? "max(num)" : "sum(num)");

  /**
   * Distinct users of every event, unfiltered and unbroken, come from the hourly rollup (a row per user
   * and hour) when the zone's days start on whole UTC hours, as DAU does: the dashboard's DAU/WAU/MAU.
   */
  const fromRollup = (r: Scope, q: InsightRowsQuery) =>
    q.math === "unique_users" && q.event === "" && q.filters.length === 0 && q.breakdown === null && daysStartOnWholeHours(r);
  /**
   * Events counted, unfiltered, whole or by event name, come from the exact hourly counts
   * (clickhouse-event-counts.ts) when the zone's days start on whole UTC hours: the main chart,
   * the events KPI and top events.
   */
  const fromCounts = (r: Scope, q: InsightRowsQuery, by: By) =>
    q.math === "total" && q.filters.length === 0 && (by === null || by.by === "event") && daysStartOnWholeHours(r);

  const insightRows: AnalyticsStore["insightRows"] = async (r, q) => {
    if (await keys.noneHave(r, q.filters)) return [];
    if (fromRollup(r, q)) {
      const out = await rows<{ bucket: string; n: string }>(
        `SELECT ${bucketOf(q.interval, r.tz, "hour")} AS bucket, uniqExact(user) AS n FROM project_user_hours WHERE ${hours(r)} GROUP BY bucket`,
      );
      return out.map((x) => ({ bucket: x.bucket, value: "", kept: true, n: Number(x.n), c: 0 }));
    }
    const b = q.breakdown;
    const kept = !b ? "1" : b.kept.length === 0 ? "0" : `${breakdownValue(b)} IN (${b.kept.map(chString).join(", ")})`;
    const bucket = bucketOf(q.interval, r.tz);
    const value = `if(${kept}, ${breakdownValue(b)}, '')`;
    if (fromCounts(r, q, b)) {
      const out = await rows<{ bucket: string; value: string; kept: number; n: string }>(
        `SELECT ${bucketOf(q.interval, r.tz, "hour")} AS bucket, ${value} AS value, ${kept} AS kept, sum(n) AS n
         FROM (${await counts.countedEvents(r, q.event)}) GROUP BY bucket, value, kept`,
      );
      return out.map((x) => ({ bucket: x.bucket, value: x.value, kept: Number(x.kept) === 1, n: Number(x.n), c: 0 }));
    }
    const out = await rows<{ bucket: string; value: string; kept: number; n: number | string; c: number | string }>(
      propertyMaths.has(q.math)
        ? `SELECT bucket, value, kept, ${numberMath(q)} AS n, count() AS c FROM (
             ${numbersOf(r, q, `any(${bucket}) AS bucket, any(${value}) AS value, any(${kept}) AS kept`)})
           GROUP BY bucket, value, kept`
        : q.math === "total" && q.interval !== "hour"
          ? `SELECT ${coarser(q.interval, "d")} AS bucket, value, kept, sum(n) AS n, 0 AS c FROM (
               ${eventsPerDay(r, q, `${value} AS value, ${kept} AS kept`, "value, kept")})
             GROUP BY bucket, value, kept`
          : `SELECT ${bucket} AS bucket, ${value} AS value, ${kept} AS kept, ${eventMath(q)} AS n, 0 AS c
             FROM events WHERE ${matching(r, q)} GROUP BY bucket, value, kept`,
    );
    return out.map((x) => ({ bucket: x.bucket, value: x.value, kept: Number(x.kept) === 1, n: Number(x.n), c: Number(x.c) }));
  };

  const insightTopValues: AnalyticsStore["insightTopValues"] = async (r, q, by, limit) => {
    if (await keys.noneHave(r, q.filters)) return [];
    if (fromCounts(r, q, by)) {
      const out = await rows<{ value: string }>(
        `SELECT event AS value, sum(n) AS n FROM (${await counts.countedEvents(r, q.event)})
         GROUP BY value ORDER BY n DESC, value ASC LIMIT ${chInt(limit)}`,
      );
      return out.map((x) => x.value);
    }
    const ranking = q.math === "avg" ? "sum(num) / count()" : numberMath(q);
    const out = await rows<{ value: string }>(
      propertyMaths.has(q.math)
        ? `SELECT value, ${ranking} AS n FROM (${numbersOf(r, q, `any(${breakdownValue(by)}) AS value`)})
           GROUP BY value ORDER BY n DESC, value ASC LIMIT ${chInt(limit)}`
        : q.math === "total"
          ? `SELECT value, sum(n) AS n FROM (${eventsPerDay(r, q, `${breakdownValue(by)} AS value`, "value")})
             GROUP BY value ORDER BY n DESC, value ASC LIMIT ${chInt(limit)}`
          : `SELECT ${breakdownValue(by)} AS value, ${eventMath(q)} AS n FROM events WHERE ${matching(r, q)}
             GROUP BY value ORDER BY n DESC, value ASC LIMIT ${chInt(limit)}`,
    );
    return out.map((x) => x.value);
  };

  /**
   * Counted events broken down over few values: one scan, per day and value, ranked and folded here
   * (the sum of counts is exact, unlike distinct users) instead of a scan for the top values and another
   * for the rows (bench:dashboard's top events). Too many day × value rows: the two scans.
   */
  const insightBreakdownRows: NonNullable<AnalyticsStore["insightBreakdownRows"]> = async (r, q, by, limit) => {
    if (q.math !== "total" || q.interval === "hour") return undefined;
    if (await keys.noneHave(r, q.filters)) return { kept: [], rows: [] };
    const out = await rows<{ day: string; value: string; n: string }>(
      fromCounts(r, q, by)
        ? `SELECT toString(toDate(hour, ${chString(r.tz)})) AS day, event AS value, sum(n) AS n FROM (${await counts.countedEvents(r, q.event)})
           GROUP BY day, value LIMIT ${chInt(mostDayValues + 1)}`
        : `SELECT toString(d) AS day, value, n FROM (${eventsPerDay(r, q, `${breakdownValue(by)} AS value`, "value")}) LIMIT ${chInt(mostDayValues + 1)}`,
    );
    if (out.length > mostDayValues) return undefined;
    return foldDayValues(
      out.map((x) => ({ day: x.day, value: x.value, n: Number(x.n) })),
      q.interval,
      limit,
    );
  };

  return { insightRows, insightTopValues, insightBreakdownRows };
}
