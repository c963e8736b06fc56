import pg from "pg";
import { loadConfig } from "../../core/config/config.js";
import { openDatabase } from "../../storage/open-database.js";
import { createPgSqlClient } from "../../storage/postgres/pg-sql-client.js";
import { createPostgresAnalytics } from "../../storage/postgres/postgres-analytics.js";
import { analyticsPoolOptions } from "../../storage/postgres/postgres-database.js";
import { startLocalPostgres } from "../../test/support/services/index.js";
import { onCleanup } from "../shared/lifecycle.js";
import { compareWithOriginal } from "./analytics-against-original.js";
import type { PhaseResult } from "./analytics-clickhouse.js";
import { compareRoutes, type TimingOptions } from "./analytics-compare.js";
import { concurrencyLevels as concurrency, concurrentAll } from "./analytics-concurrency.js";
import type { DatasetSpec } from "./analytics-dataset.js";
import { benchLogger, type Engine, once, startEngine } from "./analytics-engine.js";
import { describePostgres, loadPostgres } from "./analytics-pg-load.js";
import { crossCheck } from "./analytics-routes.js";

/**
 * PostgreSQL (local cluster), a fresh database migrated as a worker does and
 * filled in SQL; then every route through the engine next to the store over a
 * pool built as the engine builds it. Stops and drops what it made, however it ends.
 */
export async function postgresPhase(spec: DatasetSpec, redisUrl: string, runId: string, t: TimingOptions, log: (s: string) => void): Promise<PhaseResult> {
  const lines: string[] = [];
  const server = await startLocalPostgres();
  const stopServer = once(() => server.stop());
  onCleanup("local postgres", stopServer);
  const database = `bench_analytics_${runId}`;
  const admin = new pg.Client({ connectionString: server.url });
  admin.on("error", () => undefined); // the server going away (SIGINT to the process group) must not crash the cleanup
  await admin.connect();
  const drop = once(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });
  onCleanup("postgres bench database", drop);
  let engine: Engine | undefined;
  let closePool = async (): Promise<void> => {};
  try {
    const [{ server_version: version }] = (await admin.query("SHOW server_version")).rows;
    await admin.query(`CREATE DATABASE ${database}`);
    const env = {
      DATABASE_TYPE: "postgres",
      POSTGRES_HOST: "127.0.0.1",
      POSTGRES_PORT: String(server.port),
      POSTGRES_DB: database,
      POSTGRES_USER: "postgres",
      POSTGRES_PASSWORD: "",
    };
    const migrator = await openDatabase(loadConfig(env).database, benchLogger(), { retryAfterSeconds: 1 });
    await migrator.close();

    const pool = () => createPgSqlClient(analyticsPoolOptions(loadConfig(env).database));
    // Loading gets its own pool: a backend that has run big inserts sorts
    // faster than a fresh one, so the store must not reuse the loader's.
    const loader = pool();
    closePool = once(() => loader.close());
    onCleanup("postgres loader pool", closePool);
    const t0 = performance.now();
    const rate = await loadPostgres(loader, spec, log, Date.now() + 15 * 60_000);
    const loadS = (performance.now() - t0) / 1000;
    const data = await describePostgres(loader);
    await closePool();
    // The store over a fresh pool built exactly as the engine's analytics pool.
    const db = pool();
    closePool = once(() => db.close());
    onCleanup("postgres direct pool", closePool);
    lines.push(
      `PostgreSQL ${version} (local, fsync=off): ${data.events.toLocaleString("en-US")} events, ${data.users.toLocaleString("en-US")} users, ${spec.days} days, ${data.size}; ` +
        `loaded in ${loadS.toFixed(1)} s incl. VACUUM ANALYZE (${Math.round(rate).toLocaleString("en-US")} rows/s, INSERT … SELECT FROM generate_series, 2 sessions, indexes kept)`,
      `  mix: ${data.mix.map((m) => `${m.event} ${((Number(m.n) / data.events) * 100).toFixed(1)}%`).join(", ")}`,
    );

    const store = createPostgresAnalytics(db);
    engine = await startEngine(env, redisUrl, runId);
    const problems = await crossCheck(engine.url, store);
    if (problems.length) lines.push(...problems.map((p) => `! ${p}`));
    const rows = await compareRoutes("postgres", engine.url, store, t, log);
    rows.push(...(await compareWithOriginal(db, store, t, log)));
    for (const n of concurrency) lines.push((await concurrentAll(engine.url, n)).line);
    return { rows, lines };
  } finally {
    await engine?.close().catch((e: unknown) => log(`engine close: ${(e as Error).message}`));
    await closePool().catch(() => undefined);
    await drop().catch((e: unknown) => log(`drop ${database}: ${(e as Error).message}`));
    await stopServer();
  }
}
