import type { ClickHouseClient } from "@clickhouse/client";
import * as d from "./analytics-dataset.js";

/**
 * Fills `events` in ClickHouse-side SQL (INSERT … SELECT FROM numbers()),
 * deterministic in the row number: every column of the table is written, as
 * the sink writes it, in the default project. The materialized view feeds project_user_hours from these
 * inserts as it does from the worker's. Runs on 18.16 and current releases.
 */
export function chInsertSql(spec: d.DatasetSpec, offset: number, count: number): string {
  const U = spec.users;
  const P = d.payers(spec);
  const startS = spec.endS - spec.days * 86_400;
  // Uniform in [0, 1) from the row number (or the user) and a stream k.
  const h = (x: string, k: number) => `(cityHash64(${x}, ${k}) / 18446744073709551616.)`;
  const pick = (values: string[], cum: number[], r: string) => `${d.sqlStrings(values)}[arrayFirstIndex(c -> c > ${r}, ${d.sqlNumbers(cum)})]`;
  return `INSERT INTO events (project_id, uuid, event, distinct_id, properties, event_timestamp, timestamp_ms, received_at, timestamp_clamped)
SELECT
  'default' AS project_id,
  toUUID(UUIDNumToString(toFixedString(concat(reinterpretAsString(cityHash64(n, 11)), reinterpretAsString(cityHash64(n, 12))), 16))) AS uuid,
  ev AS event,
  concat('user_', toString(u)) AS distinct_id,
  multiIf(
    ev = 'page_view', concat('{"path":"', ${pick(d.pages, d.pageCum, h("n", 6))}, '","sessionId":"', sid, '","device":"', ${pick(d.devices, d.deviceCum, h("n", 7))}, '"}'),
    ev = 'most_used_feature', concat('{"feature":"', ${pick(d.features, d.featureCum, h("n", 6))}, '","duration":', toString(5 + cityHash64(n, 7) % 295), ',"sessionId":"', sid, '"}'),
    ev = 'user_registered', concat('{"plan":"free","referral":"', ${pick(d.referrals, d.referralCum, h("n", 6))}, '","sessionId":"', sid, '"}'),
    concat('{', ${pick(d.prices, d.priceCum, h("n", 6))}, ',"sessionId":"', sid, '"}')) AS properties,
  toDateTime(ts) AS event_timestamp,
  ts * 1000 + cityHash64(n, 13) % 1000 AS timestamp_ms,
  toDateTime(ts + 1 + cityHash64(n, 14) % 3) AS received_at,
  toUInt8(0) AS timestamp_clamped
FROM (
  SELECT n, u, ev, ts, concat('s', toString(u), '-', toString(j)) AS sid
  FROM (
    SELECT n, u, kind, j,
      multiIf(kind = 0, signup, kind = 1, signup + toUInt64(floor(life * pow(${h("n", 2)}, 2))),
        least(${spec.endS - 1}, if(j = 0, signup, signup + toUInt64(floor(life * (cityHash64(u, j, 15) / 18446744073709551616.)))) + cityHash64(n, 8) % ${d.sessionSeconds})) AS ts,
      multiIf(kind = 0, 'user_registered', kind = 1, 'payment_success', ${h("n", 5)} < ${d.featureShare}, 'most_used_feature', 'page_view') AS ev
    FROM (
      SELECT n, u, kind,
        toUInt64(${startS} + floor(${spec.days * 86_400} * sqrt(${h("u", 1)}))) AS signup,
        toUInt64(floor((${spec.endS - 1} - signup) * (0.2 + 0.8 * ${h("u", 2)}))) AS life,
        toUInt64(greatest(1, round(${d.otherEvents(spec)} * (sqrt(u / ${U}) - sqrt((u - 1) / ${U})) / ${d.eventsPerSession}))) AS sessions,
        if(kind = 2, cityHash64(n, 4) % sessions, 0) AS j
      FROM (
        SELECT number AS n,
          multiIf(n < ${U}, 0, n < ${U + P}, 1, 2) AS kind,
          multiIf(kind = 0, n + 1, kind = 1, 1 + intDiv(toUInt64(n - ${U}) * ${U}, ${Math.max(1, P)}), least(${U}, 1 + toUInt64(floor(${U} * pow(${h("n", 3)}, 2))))) AS u
        FROM numbers(${offset}, ${count})))))`;
}

/**
 * Loads the dataset in slices, two statements at a time (18.16 generates
 * numbers() in one thread per query; the machine has two cores). Returns rows/s.
 */
export async function loadClickHouse(client: ClickHouseClient, spec: d.DatasetSpec, log: (s: string) => void, deadline: number): Promise<number> {
  const slice = 1_000_000;
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < spec.events) {
      if (Date.now() > deadline) throw new Error(`ClickHouse load exceeded its time budget at ${done} rows`);
      const off = next;
      const count = Math.min(slice, spec.events - off);
      next += count;
      await client.command({ query: chInsertSql(spec, off, count), clickhouse_settings: { max_insert_block_size: "1048576" } });
      done += count;
      log(`  clickhouse: ${done.toLocaleString("en-US")} / ${spec.events.toLocaleString("en-US")} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  };
  await Promise.all([lane(), lane()]);
  return spec.events / ((performance.now() - t0) / 1000);
}

/** Row counts and part counts, plus a consistency check of the rollup against the raw events. */
export async function describeClickHouse(client: ClickHouseClient) {
  const one = async <T>(query: string) => (await (await client.query({ query, format: "JSONEachRow" })).json<T>())[0];
  const events = await one<{ n: string; users: string; parts: string }>(
    "SELECT count() AS n, uniqExact(distinct_id) AS users, (SELECT count() FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active) AS parts FROM events",
  );
  const rollup = await one<{ rows: string; users: string }>("SELECT count() AS rows, uniqExact(user) AS users FROM project_user_hours");
  const mix = await (await client.query({ query: "SELECT event, count() AS n FROM events GROUP BY event ORDER BY n DESC", format: "JSONEachRow" })).json<{
    event: string;
    n: string;
  }>();
  return {
    events: Number(events.n),
    users: Number(events.users),
    parts: Number(events.parts),
    rollupRows: Number(rollup.rows),
    rollupUsers: Number(rollup.users),
    mix,
  };
}
