import type { ClickHouseClient } from "@clickhouse/client";
import { type ClickHouseConnection, onDefaultDatabase } from "./clickhouse-client.js";
import { type ClusterDdl, migrateClickHouseCluster } from "./clickhouse-cluster-schema.js";
import { countMigration } from "./clickhouse-count-migration.js";
import { chIdentifier } from "./clickhouse-literal.js";
import { moveToProjects } from "./clickhouse-project-migration.js";
import { appliedMigrations, recordMigration } from "./clickhouse-schema.js";
import { addStandardPropertiesColumn } from "./clickhouse-standard-properties.js";
import {
  apiKeysTable,
  createTableSql,
  defaultProjectRow,
  personLinksTable,
  personPropertiesTable,
  projectsTable,
  schemaMigrationsTable,
} from "./clickhouse-tables.js";

/**
 * Versioned, idempotent migrations: each statement is IF NOT EXISTS, so
 * several workers may run them at once. The SQL runs on ClickHouse 18.16 and
 * current releases (no DateTime64, no Map/JSON types, no query parameters).
 */
type Migration = ({ version: number; statements: string[] } | { version: number; run(client: ClickHouseClient): Promise<void> }) & {
  /** Its form for a cluster (clickhouse-cluster-schema.ts makes a cluster at clusterBaseVersion; later versions need one). */
  cluster?: (ddl: ClusterDdl) => string[];
};

export const clickHouseMigrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    statements: [
      // uuid is last in the sort key: every copy of a redelivered event has the
      // same (event, day, distinct_id, uuid), so ReplacingMergeTree folds them.
      `CREATE TABLE IF NOT EXISTS events (
        uuid UUID,
        event String,
        distinct_id String,
        properties String,
        event_timestamp DateTime('UTC'),
        timestamp_ms UInt64,
        received_at DateTime('UTC'),
        timestamp_clamped UInt8
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(event_timestamp)
      ORDER BY (event, toDate(event_timestamp), distinct_id, uuid)`,
    ],
  },
  {
    version: 2,
    statements: [
      // Distinct users per UTC hour, kept at insert time: DAU, MAU and total
      // users merge these states instead of scanning events. uniqExact states
      // are sets, so a redelivered event, or a row counted by both the view and
      // the backfill below, changes nothing.
      `CREATE TABLE IF NOT EXISTS users_hourly (
        hour DateTime('UTC'),
        users AggregateFunction(uniqExact, String)
      ) ENGINE = AggregatingMergeTree()
      PARTITION BY toYYYYMM(hour)
      ORDER BY hour`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS users_hourly_mv TO users_hourly AS
        SELECT toStartOfHour(event_timestamp) AS hour, uniqExactState(distinct_id) AS users
        FROM events GROUP BY hour`,
      `INSERT INTO users_hourly
        SELECT toStartOfHour(event_timestamp) AS hour, uniqExactState(distinct_id) AS users
        FROM events GROUP BY hour`,
    ],
  },
  {
    version: 3,
    statements: [
      // Plain (hour, user) rows instead of uniqExact states: ClickHouse 18.16
      // reads states back so slowly that merging them was slower than scanning
      // events (bench: 0.47× for DAU); counting these rows measured ~8× faster.
      // The user is the 128-bit SipHash uniqExact itself keys strings by, so
      // counts stay exact; duplicate rows before merges do not change uniqExact.
      `CREATE TABLE IF NOT EXISTS user_hours (
        hour DateTime('UTC'),
        user UUID
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(hour)
      ORDER BY (hour, user)`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS user_hours_mv TO user_hours AS
        SELECT toStartOfHour(event_timestamp) AS hour, toUUID(UUIDNumToString(sipHash128(distinct_id))) AS user
        FROM events GROUP BY hour, user`,
      `INSERT INTO user_hours
        SELECT toStartOfHour(event_timestamp) AS hour, toUUID(UUIDNumToString(sipHash128(distinct_id))) AS user
        FROM events GROUP BY hour, user`,
      `DROP TABLE IF EXISTS users_hourly_mv`,
      `DROP TABLE IF EXISTS users_hourly`,
    ],
  },
  { version: 4, run: moveToProjects },
  {
    version: 5,
    statements: [
      // Projects (with their settings as JSON) and keys: small tables read whole with FINAL; a change is a
      // row with a higher version.
      createTableSql(projectsTable),
      defaultProjectRow,
      createTableSql(apiKeysTable),
      // People: one row per property and kind; ReplacingMergeTree keeps the highest version, which is the
      // time for $set (the latest wins) and its complement for $set_once (the earliest wins).
      createTableSql(personPropertiesTable),
      createTableSql(personLinksTable),
    ],
  },
  { version: 6, statements: countMigration },
  { version: 7, run: addStandardPropertiesColumn },
];

export async function migrateClickHouse(client: ClickHouseClient, connection: ClickHouseConnection): Promise<void> {
  const { cluster } = connection;
  if (cluster) return migrateClickHouseCluster(client, { ...connection, cluster }, clickHouseMigrations);
  // The sink's client names a database that may not exist yet.
  if (connection.database !== "default") {
    const query = `CREATE DATABASE IF NOT EXISTS ${chIdentifier(connection.database)}`;
    await onDefaultDatabase(connection, (admin) => admin.command({ query }));
  }
  await client.command({ query: createTableSql(schemaMigrationsTable) });
  const applied = await appliedMigrations(client);
  for (const m of clickHouseMigrations) {
    if (applied.has(m.version)) continue;
    if ("run" in m) await m.run(client);
    else for (const statement of m.statements) await client.command({ query: statement });
    await recordMigration(client, m.version);
  }
}
