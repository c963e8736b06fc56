/**
 * What ClickHouse's insert-time work beyond the row costs each stored event (materialized views and the
 * standard_properties column): INSERT … SELECT of generated rows (no parsing, so their share is not
 * hidden in JSON parsing) into the migrated `events` table with all of it, then without each, newest first.
 *   npm run bench:views          (tsx bench/storage/clickhouse-views-bench.ts)
 * Env: BENCH_ROWS (2000000 per insert)  BENCH_ROUNDS (4 inserts per configuration)
 *      BENCH_PROPERTIES (small: 5 keys in ~90 bytes, the worker bench's; web: 40 keys in ~1.3 KB, as posthog-js sends)
 * Starts its own ClickHouse (test/support/services) and stops it however the run ends.
 */
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import pino from "pino";
import { loadConfig } from "../../core/config/config.js";
import { openDatabase } from "../../storage/open-database.js";
import { startLocalClickHouse } from "../../test/support/services/index.js";
import { commandLine, machineSummary } from "../shared/bench-header.js";
import { exitAfterCleanup, guardRun, onCleanup } from "../shared/lifecycle.js";
import { table } from "../shared/report.js";

const rows = Number(process.env.BENCH_ROWS ?? 2_000_000);
const shape = process.env.BENCH_PROPERTIES ?? "small";
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
/** Each configuration drops one more thing than the one before it. */
const steps = [
  { label: "all (users view, event-hour fingerprints view, standard_properties)", drop: "" },
  { label: "without the standard_properties column", drop: "ALTER TABLE events DROP COLUMN standard_properties" },
  { label: "without event_hour_changes_mv (as before the exact counts)", drop: "DROP TABLE event_hour_changes_mv" },
  { label: "without project_user_hours_mv (nothing)", drop: "DROP TABLE project_user_hours_mv" },
];
// Rows like the worker bench's: four event names, 10k users, ~90-byte properties, 50 events a second.
const generated = `SELECT 'default', generateUUIDv4(), ['page_view','most_used_feature','user_registered','payment_success'][number % 4 + 1],
  concat('user-', toString(number % 10000)),
  ${
    shape === "web"
      ? `concat('{', arrayStringConcat(arrayMap(i -> concat('"$prop_', toString(i), '":"value ', toString((number + i) % 97), ' of a web event"'), range(40)), ','), '}')`
      : `concat('{"feature":"f', toString(number % 20), '","path":"/p/', toString(number % 100), '","plan":"pro","n":', toString(number % 1000), ',"ok":true}')`
  },
  toDateTime('2026-11-01 00:00:00', 'UTC') + intDiv(number, 50), 0, now(), 0 FROM numbers(${rows})`;
const columns = "project_id, uuid, event, distinct_id, properties, event_timestamp, timestamp_ms, received_at, timestamp_clamped";

async function insertMs(c: ClickHouseClient): Promise<number> {
  const t = performance.now();
  await c.command({ query: `INSERT INTO events (${columns}) ${generated}` });
  return performance.now() - t;
}

async function main(): Promise<number> {
  guardRun(30 * 60_000);
  console.log(`${commandLine("bench/storage/clickhouse-views-bench.ts")}   (npm run bench:views)\nmachine: ${machineSummary()}`);
  const ch = await startLocalClickHouse();
  onCleanup("local clickhouse", () => ch.stop());
  const env = { DATABASE_TYPE: "clickhouse", CLICKHOUSE_HOST: "127.0.0.1", CLICKHOUSE_PORT: String(ch.httpPort), CLICKHOUSE_DB: "views_bench" };
  const migrated = await openDatabase(loadConfig(env).database, pino({ level: "warn" }), { retryAfterSeconds: 1 });
  await migrated.close();
  const c = createClient({ url: ch.url, database: "views_bench", request_timeout: 600_000, log: { level: ClickHouseLogLevel.OFF } });
  onCleanup("clickhouse client", () => c.close());
  const [{ v }] = await (await c.query({ query: "SELECT version() AS v", format: "JSONEachRow" })).json<{ v: string }>();
  console.log(
    `clickhouse-server ${v} (local), ${rows.toLocaleString("en-US")} rows (${shape} properties) per INSERT … SELECT, ${rounds} inserts per configuration`,
  );
  await insertMs(c); // warm-up
  const out: string[][] = [];
  let before: number | undefined;
  for (const step of steps) {
    if (step.drop) await c.command({ query: step.drop });
    const ms: number[] = [];
    for (let i = 0; i < rounds; i++) ms.push(await insertMs(c));
    ms.sort((a, b) => a - b);
    const median = ms.length % 2 ? ms[(ms.length - 1) / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
    const perRow = (median * 1000) / rows;
    out.push([
      step.label,
      perRow.toFixed(2),
      ms.map((x) => ((x * 1000) / rows).toFixed(2)).join(", "),
      before === undefined ? "—" : (before - perRow).toFixed(2),
    ]);
    before = perRow;
  }
  console.log(table(["Configuration", "µs per row (median)", "each insert, µs per row", "what was dropped last cost, µs per row"], out));
  return 0;
}

main()
  .then(exitAfterCleanup)
  .catch((e: unknown) => {
    console.error(e);
    void exitAfterCleanup(1);
  });
