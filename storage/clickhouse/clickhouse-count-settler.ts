import type { ClickHouseClient } from "@clickhouse/client";
import type { RollupUpkeep } from "../database.js";
import { featureColumn, hourRuns, inRuns } from "./clickhouse-event-counts.js";
import { chDateTime, chInt, chString } from "./clickhouse-literal.js";
import { createClickHouseProperties } from "./clickhouse-properties.js";

const hourMs = 3_600_000;
/** An hour is counted once it has been over for this long; the hours after it are counted from the events. */
const settleAfterMs = 60_000;
/** Hours counted in one pass, newest first; and in one INSERT (one project's week: one scan of at most a week). */
const hoursPerPass = 2_000;
const hoursPerInsert = 168;

type Dirty = { h: number; fingerprint: string };

/**
 * Keeps ClickHouse's exact hourly event counts (clickhouse-count-migration.ts)
 * up to date: every hour whose fingerprint moved since it was last counted is
 * counted again, distinct uuids per event (and feature), and its marker written after its
 * counts with the fingerprint read before them, so a marker never vouches for
 * counts that miss a row it saw (a row reaches `events` before its view adds
 * it to the fingerprint). Workers may run it at once: a later count replaces
 * an earlier, both exact.
 */
export function createClickHouseCountSettler(client: ClickHouseClient, now: () => number = Date.now): RollupUpkeep {
  const rows = async <T>(query: string) => (await client.query({ query, format: "JSONEachRow" })).json<T>();
  // The feature is read as the analytics read it, which depends on the server's version.
  let feature: Promise<string> | undefined;
  const featureOf = () =>
    (feature ??= rows<{ v: string }>("SELECT version() AS v").then(([{ v }]) => featureColumn(createClickHouseProperties(v).string("feature"))));

  async function countHours(projectId: string, hours: Dirty[]): Promise<void> {
    const at = chInt(now());
    const project = `project_id = ${chString(projectId)}`;
    const runs = hourRuns(hours.map((x) => x.h).sort((a, b) => a - b));
    // Events an erasure took out of an hour get a 0, replacing their earlier count.
    await client.command({
      query: `INSERT INTO event_hour_counts (project_id, hour, event, feature, n, fingerprint, computed_at_ms)
        SELECT ${chString(projectId)} AS project_id, hour, event, feature, sum(n) AS n, toUInt64(0) AS fingerprint, toUInt64(${at}) AS computed_at_ms FROM (
          SELECT toStartOfHour(event_timestamp) AS hour, event, ${await featureOf()} AS feature, uniqExact(uuid) AS n FROM events
          WHERE ${project} AND (${inRuns("event_timestamp", runs)}) GROUP BY hour, event, feature
          UNION ALL
          SELECT hour, event, feature, toUInt64(0) AS n FROM event_hour_counts
          WHERE ${project} AND (${inRuns("hour", runs)}) AND event != '' GROUP BY hour, event, feature
        ) GROUP BY hour, event, feature`,
    });
    // UInt64 fingerprints stay exact as SQL literals (JSON values would pass through a double).
    const markers = hours.map((x) => `(toUInt32(${chInt(x.h)}), toUInt64(${chString(x.fingerprint)}))`).join(", ");
    await client.command({
      query: `INSERT INTO event_hour_counts (project_id, hour, event, feature, n, fingerprint, computed_at_ms)
        SELECT ${chString(projectId)} AS project_id, toDateTime(tupleElement(m, 1)) AS hour, '' AS event, '' AS feature, toUInt64(0) AS n,
          tupleElement(m, 2) AS fingerprint, toUInt64(${at}) AS computed_at_ms
        FROM (SELECT arrayJoin([${markers}]) AS m)`,
    });
  }

  /** One pass: the hours that changed, newest first; resolves with how many were counted. */
  async function pass(): Promise<number> {
    const before = chDateTime(Math.floor((now() - settleAfterMs) / hourMs) * hourMs);
    const dirty = await rows<{ project_id: string; h: number; fp: string }>(
      `SELECT project_id, toUInt32(hour) AS h, toString(fingerprint) AS fp FROM (
         SELECT project_id, hour, sum(fingerprint) AS fingerprint FROM event_hour_changes WHERE hour < ${before} GROUP BY project_id, hour
       ) AS changed ANY LEFT JOIN (
         SELECT project_id, hour, argMax(fingerprint, computed_at_ms) AS seen FROM event_hour_counts
         WHERE hour < ${before} AND event = '' GROUP BY project_id, hour
       ) AS counted USING (project_id, hour)
       WHERE seen != fingerprint ORDER BY h DESC LIMIT ${chInt(hoursPerPass)}`,
    );
    const byProject = new Map<string, Dirty[]>();
    for (const x of dirty) {
      const hours = byProject.get(x.project_id) ?? [];
      hours.push({ h: Number(x.h), fingerprint: x.fp });
      byProject.set(x.project_id, hours);
    }
    for (const [projectId, hours] of byProject) {
      for (let i = 0; i < hours.length; i += hoursPerInsert) await countHours(projectId, hours.slice(i, i + hoursPerInsert));
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
