import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { AnalyticsStore } from "../../analytics/analytics-store.js";
import { loadConfig } from "../../core/config/config.js";
import { createClickHouseAnalytics } from "../../storage/clickhouse/clickhouse-analytics.js";
import { createClickHouseClient } from "../../storage/clickhouse/clickhouse-client.js";
import { openDatabase } from "../../storage/open-database.js";
import { startLocalClickHouse } from "../../test/support/services/index.js";
import { onCleanup } from "../shared/lifecycle.js";
import { describeClickHouse, loadClickHouse } from "./analytics-ch-load.js";
import { compareRollup, compareRoutes, type TimingOptions } from "./analytics-compare.js";
import { concurrencyLevels as concurrency, concurrentAll } from "./analytics-concurrency.js";
import type { DatasetSpec } from "./analytics-dataset.js";
import { benchLogger, type Engine, once, startEngine } from "./analytics-engine.js";
import type { ResultRow } from "./analytics-report.js";
import { crossCheck } from "./analytics-routes.js";

export interface PhaseResult {
  rows: ResultRow[];
  lines: string[];
}

/** The loaded database and the running engine, for a bench that measures its own figures on them (dashboard-bench.ts). */
export interface ClickHouseRig {
  engineUrl: string;
  /** The store the engine's own analytics client would build: the "direct" side. */
  store: AnalyticsStore;
  client: ClickHouseClient;
}

/**
 * ClickHouse 18.16 (local), a fresh database filled in SQL, merged to one part
 * per partition as a settled table would be; then every route through the
 * engine next to the store, and the rollup next to the raw scan. Everything it
 * starts is stopped, and the database dropped, when it ends or fails.
 * `figures`, when given, replaces this bench's figures (same data, same engine).
 */
export async function clickHousePhase(
  spec: DatasetSpec,
  redisUrl: string,
  runId: string,
  t: TimingOptions,
  log: (s: string) => void,
  figures?: (rig: ClickHouseRig) => Promise<PhaseResult>,
): Promise<PhaseResult> {
  const lines: string[] = [];
  const ch = await startLocalClickHouse();
  const stopServer = once(() => ch.stop());
  onCleanup("local clickhouse", stopServer);
  const database = `bench_analytics_${runId}`;
  const env = { DATABASE_TYPE: "clickhouse", CLICKHOUSE_HOST: "127.0.0.1", CLICKHOUSE_PORT: String(ch.httpPort), CLICKHOUSE_DB: database };
  const admin = createClient({ url: ch.url, database, request_timeout: 900_000, log: { level: ClickHouseLogLevel.OFF } });
  const drop = once(async () => {
    await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await admin.close();
  });
  onCleanup("clickhouse bench database", drop);
  let engine: Engine | undefined;
  let closeClient = async (): Promise<void> => {};
  try {
    // Migrations (database, tables, rollup, materialized view) exactly as a worker runs them.
    const migrator = await openDatabase(loadConfig(env).database, benchLogger(), { retryAfterSeconds: 1 });
    const version = (await (await admin.query({ query: "SELECT version() AS v", format: "JSONEachRow" })).json<{ v: string }>())[0].v;

    const t0 = performance.now();
    const rate = await loadClickHouse(admin, spec, log, Date.now() + 15 * 60_000);
    const loadS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await admin.command({ query: "OPTIMIZE TABLE events FINAL" });
    await admin.command({ query: "OPTIMIZE TABLE project_user_hours FINAL" });
    const optimizeS = (performance.now() - t1) / 1000;
    // The exact hourly event counts, as a worker's upkeep keeps them (every hour over for a minute), then one
    // pass with nothing to count: what each ROLLUP_CHECK_SECONDS costs a worker when no hour changed.
    const t2 = performance.now();
    const counted = await migrator.rollups!.catchUp();
    for (const table of ["event_hour_changes", "event_hour_counts"]) await admin.command({ query: `OPTIMIZE TABLE ${table} FINAL` });
    const countS = (performance.now() - t2) / 1000;
    const t3 = performance.now();
    await migrator.rollups!.catchUp();
    const idleMs = performance.now() - t3;
    await migrator.close();
    const data = await describeClickHouse(admin);
    lines.push(
      `clickhouse-server ${version} (local): ${data.events.toLocaleString("en-US")} events, ${data.users.toLocaleString("en-US")} users, ${spec.days} days; ` +
        `loaded in ${loadS.toFixed(1)} s (${Math.round(rate).toLocaleString("en-US")} rows/s, INSERT … SELECT FROM numbers(), 2 statements at a time), ` +
        `OPTIMIZE FINAL ${optimizeS.toFixed(1)} s → ${data.parts} parts; user_hours ${data.rollupRows} rows, ${data.rollupUsers.toLocaleString("en-US")} users` +
        `${data.rollupUsers === data.users ? " (= events)" : " (≠ events!)"}; ` +
        `event counts: ${counted.toLocaleString("en-US")} hours counted in ${countS.toFixed(1)} s, an upkeep pass with none to count ${idleMs.toFixed(0)} ms`,
      `  mix: ${data.mix.map((m) => `${m.event} ${((Number(m.n) / data.events) * 100).toFixed(1)}%`).join(", ")}`,
    );

    // The store over a client built exactly as the engine's analytics client.
    const db = loadConfig(env).database;
    const client = createClickHouseClient(db.clickhouse, db.pools.readConnections, db.pools.queryTimeoutMs);
    closeClient = once(() => client.close());
    onCleanup("clickhouse direct client", closeClient);
    const store = await createClickHouseAnalytics(client);
    engine = await startEngine(env, redisUrl, runId);
    if (figures) {
      const own = await figures({ engineUrl: engine.url, store, client });
      return { rows: own.rows, lines: [...lines, ...own.lines] };
    }
    const problems = await crossCheck(engine.url, store);
    if (problems.length) lines.push(...problems.map((p) => `! ${p}`));

    const rows = await compareRoutes("clickhouse", engine.url, store, t, log);
    const rollup = await compareRollup(client, store, t, log);
    rows.push(...rollup.rows);
    lines.push(...rollup.lines);
    for (const n of concurrency) lines.push((await concurrentAll(engine.url, n)).line);
    return { rows, lines };
  } finally {
    await engine?.close().catch((e: unknown) => log(`engine close: ${(e as Error).message}`));
    await closeClient().catch(() => undefined);
    await drop().catch((e: unknown) => log(`drop ${database}: ${(e as Error).message}`));
    await stopServer();
  }
}
