import { randomInt } from "node:crypto";
import type { ClickHouseClient } from "@clickhouse/client";
import type { RollupUpkeep } from "../database.js";
import { featureColumn, hourRuns, inRuns } from "./clickhouse-event-counts.js";
import { chDateTime, chInt, chString } from "./clickhouse-literal.js";
import { createClickHouseProperties } from "./clickhouse-properties.js";
import { type ClickHouseTopology, singleServer } from "./clickhouse-topology.js";

const hourMs = 3_600_000;
const daySeconds = 86_400;
/** An hour is counted once it has been over for this long; the hours after it are counted from the events. */
const settleAfterMs = 60_000;
/** Changed hours read in one pass, newest first; days counted in one INSERT (one scan of at most a week). */
const hoursPerPass = 2_000;
const daysPerInsert = 7;

/**
 * Keeps ClickHouse's exact hourly event counts (clickhouse-count-migration.ts)
 * up to date. Every UTC day with an hour whose fingerprint moved since it was
 * counted is counted again from that hour on: each uuid once, in the first hour
 * of the day it has a row in (a client's retry is stamped anew and can fall in
 * the next hour; a copy must not count in both, before or after ClickHouse
 * merges it), so uuids of the day's earlier hours are left where they are.
 * Each hour's marker is written after its counts, with the fingerprint read
 * before them, so it never vouches for counts that miss a row it saw (a row
 * reaches `events` before its view moves the fingerprint). Workers may run it
 * at once: a count's rows and marker share one version, the server's time.
 * Nothing is counted while a mutation (erasure, retention) is rewriting events.
 */
export function createClickHouseCountSettler(
  client: ClickHouseClient,
  topology: ClickHouseTopology = singleServer(),
  now: () => number = Date.now,
): RollupUpkeep {
  const rows = async <T>(query: string) => (await client.query({ query, format: "JSONEachRow" })).json<T>();
  // The feature is read as the analytics read it, which depends on the server's version.
  let feature: Promise<string> | undefined;
  const featureOf = () =>
    (feature ??= rows<{ v: string }>("SELECT version() AS v").then(
      ([{ v }]) => featureColumn(createClickHouseProperties(v).string("feature")),
      (e: unknown) => {
        feature = undefined;
        throw e;
      },
    ));

  /**
   * Counts the project's UTC days (epoch seconds) again from their first changed hour (`from`) to the last
   * hour over (before `before`); a uuid already in the day's earlier hours stays counted there.
   */
  async function countDays(projectId: string, days: Array<{ day: number; from: number }>, before: number): Promise<void> {
    const project = `project_id = ${chString(projectId)}`;
    const hours = days.flatMap(({ day, from }) => Array.from({ length: 24 }, (_, i) => day + i * 3600).filter((h) => h >= from && h + 3600 <= before));
    const runs = hourRuns(hours.sort((a, b) => a - b));
    if (runs.length === 0) return;
    const earlier = days.filter(({ day, from }) => from > day).map(({ day, from }): [number, number] => [day, from]);
    const notEarlier =
      earlier.length === 0
        ? ""
        : ` AND (uuid, toDate(event_timestamp)) NOT IN (SELECT uuid, toDate(event_timestamp) FROM events WHERE ${project} AND (${inRuns("event_timestamp", earlier)}))`;
    const fingerprints = await rows<{ h: number; fp: string }>(
      `SELECT toUInt32(hour) AS h, toString(sum(fingerprint)) AS fp FROM event_hour_changes WHERE ${project} AND (${inRuns("hour", runs)}) GROUP BY hour`,
    );
    // Later than every count of these hours, also one taken by this process a moment ago in the same second.
    const [{ t, last }] = await rows<{ t: number; last: string }>(
      `SELECT toUInt32(now()) AS t, toString(max(version)) AS last FROM event_hour_counts WHERE ${project} AND (${inRuns("hour", runs)})`,
    );
    const version = chInt(Math.max(Number(t) * 1_000_000 + randomInt(1_000_000), Number(last) + 1));
    // Events an erasure took out of an hour get a 0, replacing their earlier count.
    await client.command({
      query: `INSERT INTO event_hour_counts (project_id, hour, event, feature, n, fingerprint, version)
        SELECT ${chString(projectId)} AS project_id, hour, event, feature, sum(n) AS n, toUInt64(0) AS fingerprint, toUInt64(${version}) AS version FROM (
          SELECT h AS hour, e AS event, f AS feature, count() AS n FROM (
            SELECT min(toStartOfHour(event_timestamp)) AS h, any(event) AS e, any(${await featureOf()}) AS f FROM events
            WHERE ${project} AND (${inRuns("event_timestamp", runs)})${notEarlier} GROUP BY uuid, toDate(event_timestamp)
          ) GROUP BY h, e, f
          UNION ALL
          SELECT hour, event, feature, toUInt64(0) AS n FROM event_hour_counts
          WHERE ${project} AND (${inRuns("hour", runs)}) AND event != '' GROUP BY hour, event, feature
        ) GROUP BY hour, event, feature`,
    });
    if (fingerprints.length === 0) return;
    // UInt64 fingerprints stay exact as SQL literals (JSON values would pass through a double).
    const markers = fingerprints.map((x) => `(toUInt32(${chInt(Number(x.h))}), toUInt64(${chString(x.fp)}))`).join(", ");
    await client.command({
      query: `INSERT INTO event_hour_counts (project_id, hour, event, feature, n, fingerprint, version)
        SELECT ${chString(projectId)} AS project_id, toDateTime(tupleElement(m, 1)) AS hour, '' AS event, '' AS feature, toUInt64(0) AS n,
          tupleElement(m, 2) AS fingerprint, toUInt64(${version}) AS version
        FROM (SELECT arrayJoin([${markers}]) AS m)`,
    });
  }

  /** One pass: the days of the hours that changed, newest first; resolves with how many changed hours there were. */
  async function pass(): Promise<number> {
    const [{ n: running }] = await rows<{ n: string }>(topology.runningMutations("events"));
    if (Number(running) > 0) return 0;
    const before = Math.floor((now() - settleAfterMs) / hourMs) * hourMs;
    const dirty = await rows<{ project_id: string; h: number }>(
      `SELECT project_id, toUInt32(hour) AS h FROM (
         SELECT project_id, hour, sum(fingerprint) AS fingerprint FROM event_hour_changes WHERE hour < ${chDateTime(before)} GROUP BY project_id, hour
       ) AS changed ANY LEFT JOIN (
         SELECT project_id, hour, argMax(fingerprint, version) AS seen FROM event_hour_counts
         WHERE hour < ${chDateTime(before)} AND event = '' GROUP BY project_id, hour
       ) AS counted USING (project_id, hour)
       WHERE seen != fingerprint ORDER BY h DESC LIMIT ${chInt(hoursPerPass)}`,
    );
    // Per project, each day's first changed hour.
    const daysOf = new Map<string, Map<number, number>>();
    for (const x of dirty) {
      const h = Number(x.h);
      const days = daysOf.get(x.project_id) ?? new Map<number, number>();
      const day = h - (h % daySeconds);
      days.set(day, Math.min(days.get(day) ?? h, h));
      daysOf.set(x.project_id, days);
    }
    for (const [projectId, firstChanged] of daysOf) {
      const days = [...firstChanged].map(([day, from]) => ({ day, from }));
      for (let i = 0; i < days.length; i += daysPerInsert) await countDays(projectId, days.slice(i, i + daysPerInsert), before / 1000);
    }
    return dirty.length;
  }

  return {
    async catchUp() {
      let counted = 0;
      // A backlog (the first run over old events) takes several passes; hours that keep changing wait for the next call.
      for (let i = 0; i < 10; i++) {
        const n = await pass();
        counted += n;
        if (n < hoursPerPass) break;
      }
      return counted;
    },
  };
}
