import { mkdirSync } from "node:fs";
import type { DatabaseConfig } from "../../core/config/config.js";
import { createDiskRoom } from "../../core/disk-room.js";
import type { DatabaseParts } from "../database.js";
import { StorageUnavailableError } from "../storage-errors.js";
import { createPgSqlClient, type PgPoolOptions } from "./pg-sql-client.js";
import { createPgliteSqlClient } from "./pglite-sql-client.js";
import { createPostgresAccessStore } from "./postgres-access-store.js";
import { createPostgresAnalytics } from "./postgres-analytics.js";
import { createPostgresEraser } from "./postgres-eraser.js";
import { createPostgresErrors } from "./postgres-errors.js";
import { migratePostgres } from "./postgres-migrations.js";
import { createPostgresSink } from "./postgres-sink.js";
import type { SqlClient } from "./sql-client.js";

export const postgresTarget = (p: DatabaseConfig["postgres"]) =>
  `postgres://${p.host}:${p.port}/${p.database}${p.readHost ? ` (analytics read from ${p.readHost}:${p.readPort})` : ""}`;

/**
 * A PostgreSQL server: the worker's writes and the analytics' reads on pools
 * of their own, so neither waits for the other's connections; the reads on a
 * streaming replica when POSTGRES_READ_HOST names one (answers lag the
 * primary by the replica's replay delay; projects and keys are read from the
 * primary, so a new key works at once). Reads run
 * without JIT: on bench:analytics' 1M rows a per-day distinct count spent
 * 52 ms compiling and ran 2.0 s against 1.5 s without (EXPLAIN ANALYZE).
 */
export function openPostgres(db: DatabaseConfig): DatabaseParts {
  const p = db.postgres;
  const errors = createPostgresErrors({ target: postgresTarget(p), database: p.database, user: p.user, embedded: false });
  const writer = createPgSqlClient({ ...connectionOf(p), max: db.pools.writeConnections, application_name: "insightplus-writer" });
  const reader = createPgSqlClient(analyticsPoolOptions(db));
  return {
    ...parts(writer, reader, errors, "postgres", async () => {
      await Promise.all([writer.close(), reader.close()]);
    }),
    // Ready when both answer: the worker writes to one, analytics read the other.
    ping: async () => void (await Promise.all([writer.query("SELECT 1"), reader.query("SELECT 1")])),
  };
}

/** The analytics pool's settings (the analytics bench builds its direct pool from them too). */
export function analyticsPoolOptions(db: DatabaseConfig): PgPoolOptions {
  const p = db.postgres;
  return {
    ...connectionOf(p),
    ...(p.readHost ? { host: p.readHost, port: p.readPort } : {}),
    max: db.pools.readConnections,
    application_name: "insightplus-analytics",
    statement_timeout: db.pools.queryTimeoutMs,
    options: "-c jit=off",
  };
}

const connectionOf = (p: DatabaseConfig["postgres"]) => ({ host: p.host, port: p.port, database: p.database, user: p.user, password: p.password });

/** Embedded PostgreSQL (PGlite) in DATA_DIR: one handle, so reads and writes share it. */
export async function openPglite(db: DatabaseConfig): Promise<DatabaseParts> {
  mkdirSync(db.dataDir, { recursive: true });
  const client = await createPgliteSqlClient(db.dataDir);
  const errors = createPostgresErrors({ target: db.dataDir, database: "postgres", user: "postgres", embedded: true });
  const embedded = parts(client, client, errors, "pglite", () => client.close());
  // PGlite stops the whole process (a busy loop) when it cannot write a WAL segment (16 MB): it is written to only
  // while half the reserve is free; until then batches wait, as in any outage (drill embedded-disk-full).
  const room = createDiskRoom(db.dataDir);
  const keep = db.dataDirReserveBytes / 2;
  const roomy = () => {
    if (keep > 0 && room.freeBytes() < keep) throw new StorageUnavailableError(`DATA_DIR's disk has less than ${Math.round(keep / 1048576)} MB free`);
  };
  return {
    ...embedded,
    sink: {
      ...embedded.sink,
      async insert(rows) {
        roomy();
        await embedded.sink.insert(rows);
      },
      async savePeople(changes) {
        roomy();
        await embedded.sink.savePeople(changes);
      },
    },
  };
}

function parts(writer: SqlClient, reader: SqlClient, errors: DatabaseParts["errors"], name: string, close: () => Promise<void>): DatabaseParts {
  return {
    sink: createPostgresSink(writer, errors, name),
    errors,
    connection: { kind: "postgres", sql: reader },
    access: createPostgresAccessStore(writer),
    eraser: createPostgresEraser(writer),
    migrate: () => migratePostgres(writer),
    analytics: async () => createPostgresAnalytics(reader),
    ping: async () => void (await reader.query("SELECT 1")),
    close,
  };
}
