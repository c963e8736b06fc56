import type { Scope } from "../../analytics/analytics-store.js";
import { chInt, chString } from "./clickhouse-literal.js";

type Rows = <T>(query: string) => Promise<T[]>;

const hourSeconds = 3600;
/** Beyond this many separate runs of settled and unsettled hours, the whole range is counted from the events. */
const mostRuns = 400;

/**
 * The counts also break this event down by its `feature` property: the original project's most-used-feature
 * question (bench:dashboard's feature tile counted every such event's uuid). `featureOf` reads the property.
 */
export const featureEvent = "most_used_feature";
export const featureColumn = (featureOf: string) => `if(event = ${chString(featureEvent)}, ${featureOf}, '')`;

/** Ascending hours (epoch seconds) as runs of consecutive hours, [from, to). */
export function hourRuns(hours: number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const h of hours) {
    const last = runs.at(-1);
    if (last && last[1] === h) last[1] = h + hourSeconds;
    else runs.push([h, h + hourSeconds]);
  }
  return runs;
}

/** The parts of [start, end) outside the (ascending, disjoint) runs. */
export function complement(runs: Array<[number, number]>, start: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from = start;
  for (const [a, b] of runs) {
    if (a > from) out.push([from, a]);
    from = Math.max(from, b);
  }
  if (from < end) out.push([from, end]);
  return out;
}

/** `column` within one of the runs ("0" for none). */
export function inRuns(column: string, runs: Array<[number, number]>): string {
  if (runs.length === 0) return "0";
  return runs.map(([a, b]) => `(${column} >= toDateTime(${chInt(a)}) AND ${column} < toDateTime(${chInt(b)}))`).join(" OR ");
}

/**
 * Events counted per UTC hour and event name from the exact-count rollup
 * (clickhouse-count-migration.ts): hours whose count is settled read their
 * rows there; hours that changed since (new or late events, copies, an
 * erasure) and hours not counted yet (the last one) are counted from the
 * events. Which hours are which is read once, so each hour comes from one side.
 * (A retry stamped in an hour not counted yet, whose first copy is in a counted
 * hour of the same day, counts twice until its hour is counted.)
 */
export function createClickHouseEventCounts(rows: Rows, featureOf: string, hoursOf: (r: Scope) => string) {
  /**
   * SQL of rows (hour, event, value, n) over the scope, of `event` alone when it is not "": `value` is the
   * feature (featureEvent) with `byFeature`, else "".
   */
  async function countedEvents(r: Scope, event: string, opts: { byFeature?: boolean } = {}): Promise<string> {
    const project = `project_id = ${chString(r.projectId)}`;
    const hours = hoursOf(r);
    const status = await rows<{ h: number; settled: number }>(
      `SELECT toUInt32(hour) AS h, seen = fingerprint AS settled FROM (
         SELECT hour, sum(fingerprint) AS fingerprint FROM event_hour_changes WHERE ${hours} GROUP BY hour
       ) AS changed ANY LEFT JOIN (
         SELECT hour, argMax(fingerprint, version) AS seen FROM event_hour_counts WHERE ${hours} AND event = '' GROUP BY hour
       ) AS counted USING hour ORDER BY h`,
    );
    const named = event ? ` AND event = ${chString(event)}` : "";
    const value = opts.byFeature ? featureColumn(featureOf) : "''";
    // Each uuid once a UTC day, in its first hour, as the settler counts (a retry stamped anew may fall in the next hour).
    const counted = (where: string) =>
      `SELECT h AS hour, e AS event, v AS value, count() AS n FROM (
         SELECT min(toStartOfHour(event_timestamp)) AS h, any(event) AS e, any(${value}) AS v FROM events
         WHERE ${project}${named} AND (${where}) GROUP BY uuid, toDate(event_timestamp)
       ) GROUP BY h, e, v`;
    const [start, end] = [Math.floor(r.startMs / 1000), Math.floor(r.endMs / 1000)];
    let settled = hourRuns(status.filter((s) => Number(s.settled) === 1).map((s) => Number(s.h)));
    // Everything else in the range is read from the events, hours without a fingerprint included.
    let unsettled = complement(settled, start, end);
    if (settled.length + unsettled.length > mostRuns) {
      settled = [];
      unsettled = [[start, end]];
    }
    // An hour an erasure emptied of an event keeps a 0 for it (the settler's later count replaces the earlier).
    return `SELECT hour, event, ${opts.byFeature ? "feature" : "''"} AS value, sum(n) AS n FROM (
        SELECT hour, event, feature, argMax(n, version) AS n FROM event_hour_counts
        WHERE ${project} AND event != ''${named} AND (${inRuns("hour", settled)}) GROUP BY hour, event, feature
      ) GROUP BY hour, event, value HAVING n > 0
      UNION ALL
      ${counted(inRuns("event_timestamp", unsettled))}`;
  }
  return { countedEvents };
}
