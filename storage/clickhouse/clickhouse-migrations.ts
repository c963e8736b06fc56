import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { countMigration } from "./clickhouse-count-migration.js";
import { moveToProjects } from "./clickhouse-project-migration.js";
import { addStandardPropertiesColumn } from "./clickhouse-standard-properties.js";

/**
 * Versioned, idempotent migrations: each statement is IF NOT EXISTS, so
 * several workers may run them at once. The SQL runs on ClickHouse 18.16 and
 * current releases (no DateTime64, no Map/JSON types, no query parameters).
 */
type Migration = { version: number; statements: string[] } | { version: number; run(client: ClickHouseClient): Promise<void> };

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
      `CREATE TABLE IF NOT EXISTS projects (
        id String,
        name String,
        origins Array(String),
        retention_days UInt32,
        created_at_ms UInt64,
        version UInt64,
        settings String DEFAULT '{}'
      ) ENGINE = ReplacingMergeTree(version) ORDER BY id`,
      // Version 0: any later change to the default project wins over this row, however often it is inserted.
      `INSERT INTO projects (id, name, origins, retention_days, created_at_ms, version, settings) VALUES ('default', 'Default project', [], 0, 0, 0, '{}')`,
      `CREATE TABLE IF NOT EXISTS api_keys (
        id String,
        project_id String,
        kind String,
        hash String,
        hint String,
        public_key String,
        label String,
        created_at_ms UInt64,
        revoked_at_ms UInt64,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version) ORDER BY id`,
      // People: one row per property and kind; ReplacingMergeTree keeps the highest version, which is the
      // time for $set (the latest wins) and its complement for $set_once (the earliest wins).
      `CREATE TABLE IF NOT EXISTS person_properties (
        project_id String,
        distinct_id String,
        key String,
        set_once UInt8,
        value String,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version) ORDER BY (project_id, distinct_id, key, set_once)`,
      `CREATE TABLE IF NOT EXISTS person_links (
        project_id String,
        distinct_id String,
        linked_id String,
        at_ms UInt64
      ) ENGINE = ReplacingMergeTree() ORDER BY (project_id, distinct_id, linked_id)`,
    ],
  },
  { version: 6, statements: countMigration },
  { version: 7, run: addStandardPropertiesColumn },
];

export async function migrateClickHouse(
  client: ClickHouseClient,
  connection: { url: string; database: string; username: string; password: string },
): Promise<void> {
  if (connection.database !== "default") await createDatabase(connection);
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, applied_at DateTime('UTC'))
            ENGINE = ReplacingMergeTree() ORDER BY version`,
  });
  const applied = new Set(
    (await (await client.query({ query: "SELECT DISTINCT version FROM schema_migrations", format: "JSONEachRow" })).json<{ version: number }>()).map((r) =>
      Number(r.version),
    ),
  );
  for (const m of clickHouseMigrations) {
    if (applied.has(m.version)) continue;
    if ("run" in m) await m.run(client);
    else for (const statement of m.statements) await client.command({ query: statement });
    await client.insert({
      table: "schema_migrations",
      values: [{ version: m.version, applied_at: Math.floor(Date.now() / 1000) }],
      format: "JSONEachRow",
    });
  }
}

/** The sink's client names a database that may not exist yet; create it from "default". */
async function createDatabase(connection: { url: string; database: string; username: string; password: string }) {
  const admin = createClient({
    url: connection.url,
    username: connection.username,
    password: connection.password,
    database: "default",
    log: { level: ClickHouseLogLevel.OFF },
  });
  try {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(connection.database)}` });
  } finally {
    await admin.close();
  }
}

/** Database names come from configuration, not users, but are still quoted. */
export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid ClickHouse identifier: ${name}`);
  return `\`${name}\``;
}
