import type { Logger } from "pino";
import type { AnalyticsStore } from "../analytics/analytics-store.js";
import { sleep } from "../core/backoff.js";
import type { DatabaseConfig } from "../core/config/config.js";
import { ConfigError } from "../core/errors/config-error.js";
import { openChdb, openClickHouse } from "./clickhouse/clickhouse-database.js";
import type { Database, DatabaseParts } from "./database.js";
import { openPglite, openPostgres, postgresTarget } from "./postgres/postgres-database.js";
import { firstLine } from "./storage-errors.js";
import { mapStoreErrors } from "./store-errors.js";

/** Where the data goes, without credentials (safe to log). */
export function databaseTarget(db: DatabaseConfig): string {
  if (db.type === "clickhouse") return `${db.clickhouse.url}/${db.clickhouse.database}`;
  if (db.type === "postgres") return postgresTarget(db.postgres);
  return `${db.type}:${db.dataDir}`;
}

/**
 * Opens the configured database and migrates its schema. Waits up to
 * `startupTimeoutMs` for a database that is still starting (its classifier
 * says transient); any other failure stops start-up with a ConfigError naming
 * the setting to fix.
 */
export async function openDatabase(
  db: DatabaseConfig,
  logger: Logger,
  opts: {
    retryAfterSeconds: number;
    /** Runs the migrations one process at a time (a Redis lock where processes share a Redis); by default, as they come. */
    exclusively?: <T>(run: () => Promise<T>) => Promise<T>;
  },
): Promise<Database> {
  const target = databaseTarget(db);
  let parts: DatabaseParts;
  try {
    parts = await openParts(db);
  } catch (e) {
    throw e instanceof ConfigError ? e : new ConfigError("DATABASE_TYPE", `cannot open ${target}: ${(e as Error).message}`);
  }
  const deadline = Date.now() + db.startupTimeoutMs;
  let analytics: AnalyticsStore;
  for (let attempt = 0; ; attempt++) {
    try {
      await (opts.exclusively ? opts.exclusively(() => parts.migrate()) : parts.migrate());
      analytics = await parts.analytics();
      break;
    } catch (e) {
      if (parts.errors.classify(e) === "transient" && Date.now() < deadline) {
        if (attempt === 0) logger.warn({ database: db.type, target, err: firstLine(e) }, "database not reachable yet; waiting");
        await sleep(500);
        continue;
      }
      await parts.close().catch(() => undefined);
      throw e instanceof ConfigError ? e : parts.errors.explain(e);
    }
  }
  logger.info({ database: db.type, reason: db.reason, target }, "database ready");
  return {
    type: db.type,
    target,
    sink: parts.sink,
    connection: parts.connection,
    analytics: mapStoreErrors(analytics, parts.errors, logger, opts.retryAfterSeconds),
    access: mapStoreErrors(parts.access, parts.errors, logger, opts.retryAfterSeconds),
    eraser: mapStoreErrors(parts.eraser, parts.errors, logger, opts.retryAfterSeconds),
    rollups: parts.rollups,
    async healthy() {
      return parts.ping().then(
        () => true,
        () => false,
      );
    },
    close: () => parts.close(),
  };
}

function openParts(db: DatabaseConfig): DatabaseParts | Promise<DatabaseParts> {
  switch (db.type) {
    case "clickhouse":
      return openClickHouse(db);
    case "chdb":
      return openChdb(db);
    case "postgres":
      return openPostgres(db);
    case "pglite":
      return openPglite(db);
  }
}
