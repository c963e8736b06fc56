import { mkdirSync } from "node:fs";
import type { DatabaseConfig } from "../../core/config/config.js";
import type { DatabaseParts } from "../database.js";
import { openChdbClient } from "./chdb-client.js";
import { createClickHouseAccessStore } from "./clickhouse-access-store.js";
import { createClickHouseAnalytics } from "./clickhouse-analytics.js";
import { createClickHouseClient } from "./clickhouse-client.js";
import { createClickHouseCountSettler } from "./clickhouse-count-settler.js";
import { createClickHouseEraser } from "./clickhouse-eraser.js";
import { createClickHouseErrors } from "./clickhouse-errors.js";
import { migrateClickHouse } from "./clickhouse-migrations.js";
import { createClickHouseSink } from "./clickhouse-sink.js";
import { clusterOf, singleServer } from "./clickhouse-topology.js";

const migrationTimeoutMs = 3_600_000;

/** A ClickHouse server (or a cluster through one of its servers) over HTTP: one client for the worker's inserts, one for analytics. */
export function openClickHouse(db: DatabaseConfig): DatabaseParts {
  const c = db.clickhouse;
  const errors = createClickHouseErrors(c);
  const writer = createClickHouseClient(c, db.pools.writeConnections, 30_000);
  const reader = createClickHouseClient(c, db.pools.readConnections, db.pools.queryTimeoutMs);
  const topology = c.cluster ? clusterOf(c.cluster, c.database) : singleServer();
  return {
    sink: createClickHouseSink(writer, errors, { overHttp: true }),
    errors,
    connection: { kind: "clickhouse", client: reader },
    access: createClickHouseAccessStore(writer),
    eraser: createClickHouseEraser(writer, topology),
    rollups: createClickHouseCountSettler(writer, topology),
    // Migrations backfill rollups over every stored event: a client of their own, with no 30 s limit.
    async migrate() {
      const migrator = createClickHouseClient(c, 1, migrationTimeoutMs);
      try {
        await migrateClickHouse(migrator, c);
      } finally {
        await migrator.close();
      }
    },
    analytics: () => createClickHouseAnalytics(reader),
    ping: async () => void (await reader.command({ query: "SELECT 1" })),
    async close() {
      await Promise.all([writer.close(), reader.close()]);
    },
  };
}

/** Embedded current ClickHouse (chdb) in DATA_DIR: one in-process client serves both. */
export async function openChdb(db: DatabaseConfig): Promise<DatabaseParts> {
  mkdirSync(db.dataDir, { recursive: true });
  const c = { ...db.clickhouse, database: "default" };
  const client = await openChdbClient(db.dataDir);
  const errors = createClickHouseErrors({ ...c, url: `chdb:${db.dataDir}` });
  return {
    sink: createClickHouseSink(client, errors, { overHttp: false }),
    errors,
    connection: { kind: "clickhouse", client },
    access: createClickHouseAccessStore(client),
    eraser: createClickHouseEraser(client),
    rollups: createClickHouseCountSettler(client),
    migrate: () => migrateClickHouse(client, c),
    analytics: () => createClickHouseAnalytics(client),
    ping: async () => void (await client.command({ query: "SELECT 1" })),
    close: () => client.close(),
  };
}
