import { mkdirSync } from "node:fs";
import type { Logger } from "pino";
import type { DatabaseConfig } from "../../server/config.js";
import { sleep } from "../backoff.js";
import { clickHouseCode, createClickHouseSink } from "./clickhouse-sink.js";
import { isTransientNetworkError, SinkConfigError, type EventSink } from "./event-sink.js";
import { createPgSqlClient } from "./pg-sql-client.js";
import { createPgliteSqlClient } from "./pglite-sql-client.js";
import { openChdbClient } from "./chdb-client.js";
import { createPostgresSink } from "./postgres-sink.js";

/**
 * Opens the configured database and migrates its schema. Waits up to
 * `startupTimeoutMs` for a database that is still starting; any other failure
 * stops start-up with a SinkConfigError naming the setting to fix.
 */
export async function openSink(db: DatabaseConfig, logger: Logger): Promise<EventSink> {
  let sink: EventSink;
  try {
    sink = await createSink(db);
  } catch (e) {
    throw e instanceof SinkConfigError ? e : explain(db, e);
  }
  const deadline = Date.now() + db.startupTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await sink.migrate();
      logger.info({ database: sink.name, reason: db.reason, target: describe(db) }, "database ready");
      return sink;
    } catch (e) {
      if (isTransientNetworkError(e) && Date.now() < deadline) {
        if (attempt === 0) logger.warn({ database: sink.name, target: describe(db) }, "database not reachable yet; waiting");
        await sleep(500);
        continue;
      }
      await sink.close().catch(() => undefined);
      if (e instanceof SinkConfigError) throw e;
      throw explain(db, e);
    }
  }
}

async function createSink(db: DatabaseConfig): Promise<EventSink> {
  switch (db.type) {
    case "clickhouse":
      return createClickHouseSink(db.clickhouse);
    case "postgres": {
      const { host, port, database, user, password } = db.postgres;
      return createPostgresSink(createPgSqlClient({ host, port, database, user, password }));
    }
    case "pglite":
      mkdirSync(db.dataDir, { recursive: true });
      return createPostgresSink(await createPgliteSqlClient(db.dataDir), "pglite");
    case "chdb":
      mkdirSync(db.dataDir, { recursive: true });
      return createClickHouseSink({ ...db.clickhouse, database: "default" }, await openChdbClient(db.dataDir));
  }
}

/** Where the data goes, without credentials (safe to log). */
export function describe(db: DatabaseConfig): string {
  if (db.type === "clickhouse") return `${db.clickhouse.url}/${db.clickhouse.database}`;
  if (db.type === "postgres") return `postgres://${db.postgres.host}:${db.postgres.port}/${db.postgres.database}`;
  return `${db.type}:${db.dataDir}`;
}

function explain(db: DatabaseConfig, e: unknown): SinkConfigError {
  const message = (e as Error).message ?? String(e);
  const where = describe(db);
  if (db.type === "clickhouse") {
    const code = clickHouseCode(e);
    if (isTransientNetworkError(e)) return new SinkConfigError("CLICKHOUSE_HOST/CLICKHOUSE_PORT", `cannot reach ClickHouse at ${where}`);
    if (code === 516 || code === 192 || code === 193 || /authentication|password/i.test(message)) {
      return new SinkConfigError("CLICKHOUSE_USER/CLICKHOUSE_PASSWORD", "ClickHouse refused the credentials");
    }
    return new SinkConfigError("CLICKHOUSE_HOST", `ClickHouse at ${where} failed: ${firstLine(message)}`);
  }
  if (db.type === "postgres") {
    const state = (e as { code?: string }).code;
    if (isTransientNetworkError(e)) return new SinkConfigError("POSTGRES_HOST/POSTGRES_PORT", `cannot reach PostgreSQL at ${where}`);
    if (state === "28P01" || state === "28000") return new SinkConfigError("POSTGRES_USER/POSTGRES_PASSWORD", "PostgreSQL refused the credentials");
    if (state === "3D000") return new SinkConfigError("POSTGRES_DB", `database "${db.postgres.database}" does not exist`);
    return new SinkConfigError("POSTGRES_HOST", `PostgreSQL at ${where} failed: ${firstLine(message)}`);
  }
  return new SinkConfigError("DATA_DIR", `cannot open the embedded database in ${db.dataDir}: ${firstLine(message)}`);
}

function firstLine(s: string): string {
  return s.split("\n")[0].slice(0, 300);
}
