/**
 * The tables in use today, written once for both layouts: one server creates
 * them as they are (the migrations), a cluster as a local table on every shard
 * behind a Distributed table of the same name (clickhouse-cluster-schema.ts).
 */
export interface TableSpec {
  name: string;
  columns: string[];
  engine: "ReplacingMergeTree" | "SummingMergeTree";
  /** ReplacingMergeTree's version column. */
  version?: string;
  partitionBy?: string;
  orderBy: string;
  /**
   * Which shard a row written through the Distributed table goes to. Rows that must fold together (one
   * event's copies, one id's versions) share it. Tables only views write to have none, so nothing else can.
   */
  shardBy?: string;
}

/** One person's rows on one shard: their events, rollup rows and properties, so per-user questions stay there. */
export const byPerson = "sipHash64(project_id, distinct_id)";

export const eventsTable: TableSpec = {
  name: "events",
  columns: [
    "project_id String",
    "uuid UUID",
    "event String",
    "distinct_id String",
    "properties String",
    "event_timestamp DateTime('UTC')",
    "timestamp_ms UInt64",
    "received_at DateTime('UTC')",
    "timestamp_clamped UInt8",
  ],
  engine: "ReplacingMergeTree",
  partitionBy: "toYYYYMM(event_timestamp)",
  // uuid is last: every copy of a redelivered event has the same key, so ReplacingMergeTree folds them.
  orderBy: "(project_id, event, toDate(event_timestamp), distinct_id, uuid)",
  shardBy: byPerson,
};

export const projectUserHoursTable: TableSpec = {
  name: "project_user_hours",
  columns: ["project_id String", "hour DateTime('UTC')", "user UUID"],
  engine: "ReplacingMergeTree",
  partitionBy: "toYYYYMM(hour)",
  orderBy: "(project_id, hour, user)",
};

/** The hourly users rollup's rows from `events` (a view's SELECT, or a backfill's). */
export const projectUserHoursRows = (events: string) =>
  `SELECT project_id, toStartOfHour(event_timestamp) AS hour, toUUID(UUIDNumToString(sipHash128(distinct_id))) AS user
  FROM ${events} GROUP BY project_id, hour, user`;

export const eventHourChangesTable: TableSpec = {
  name: "event_hour_changes",
  columns: ["project_id String", "hour DateTime('UTC')", "n UInt64", "fingerprint UInt64"],
  engine: "SummingMergeTree",
  partitionBy: "toYYYYMM(hour)",
  orderBy: "(project_id, hour)",
  // An erasure's random marks: read back as sums over every shard, so any shard will do.
  shardBy: "rand()",
};

// Sums of UInt64 wrap around: a fingerprint, not a number to read.
export const eventHourChangesRows = (events: string) =>
  `SELECT project_id, toStartOfHour(event_timestamp) AS hour, count() AS n, sum(sipHash64(toString(uuid))) AS fingerprint
  FROM ${events} GROUP BY project_id, hour`;

export const eventHourCountsTable: TableSpec = {
  name: "event_hour_counts",
  columns: ["project_id String", "hour DateTime('UTC')", "event String", "feature String", "n UInt64", "fingerprint UInt64", "version UInt64"],
  engine: "ReplacingMergeTree",
  version: "version",
  partitionBy: "toYYYYMM(hour)",
  orderBy: "(project_id, hour, event, feature)",
  shardBy: "sipHash64(project_id, hour)",
};

export const projectsTable: TableSpec = {
  name: "projects",
  columns: [
    "id String",
    "name String",
    "origins Array(String)",
    "retention_days UInt32",
    "created_at_ms UInt64",
    "version UInt64",
    "settings String DEFAULT '{}'",
  ],
  engine: "ReplacingMergeTree",
  version: "version",
  orderBy: "id",
  // Every version of a project on one shard, where FINAL keeps the latest.
  shardBy: "sipHash64(id)",
};

export const apiKeysTable: TableSpec = {
  name: "api_keys",
  columns: [
    "id String",
    "project_id String",
    "kind String",
    "hash String",
    "hint String",
    "public_key String",
    "label String",
    "created_at_ms UInt64",
    "revoked_at_ms UInt64",
    "version UInt64",
  ],
  engine: "ReplacingMergeTree",
  version: "version",
  orderBy: "id",
  shardBy: "sipHash64(id)",
};

export const personPropertiesTable: TableSpec = {
  name: "person_properties",
  columns: ["project_id String", "distinct_id String", "key String", "set_once UInt8", "value String", "version UInt64"],
  engine: "ReplacingMergeTree",
  version: "version",
  orderBy: "(project_id, distinct_id, key, set_once)",
  shardBy: byPerson,
};

export const personLinksTable: TableSpec = {
  name: "person_links",
  columns: ["project_id String", "distinct_id String", "linked_id String", "at_ms UInt64"],
  engine: "ReplacingMergeTree",
  orderBy: "(project_id, distinct_id, linked_id)",
  shardBy: byPerson,
};

export const schemaMigrationsTable: TableSpec = {
  name: "schema_migrations",
  columns: ["version UInt32", "applied_at DateTime('UTC')"],
  engine: "ReplacingMergeTree",
  orderBy: "version",
  shardBy: "version",
};

/** The engine clause with its keys; `engine` may be a Replicated one with its keeper arguments first. */
export function engineClause(spec: TableSpec, replicatedArgs?: string[]): string {
  const args = [...(replicatedArgs ?? []), ...(spec.version ? [spec.version] : [])].join(", ");
  const engine = replicatedArgs ? `Replicated${spec.engine}` : spec.engine;
  const partition = spec.partitionBy ? `\n  PARTITION BY ${spec.partitionBy}` : "";
  return `ENGINE = ${engine}(${args})${partition}\n  ORDER BY ${spec.orderBy}`;
}

/** CREATE TABLE on one server. */
export function createTableSql(spec: TableSpec, name = spec.name, extraColumns: string[] = []): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (\n  ${[...spec.columns, ...extraColumns].join(",\n  ")}\n) ${engineClause(spec)}`;
}

/** Version 0: any later change to the default project wins over this row, however often it is inserted. */
export const defaultProjectRow = `INSERT INTO projects (id, name, origins, retention_days, created_at_ms, version, settings) VALUES ('default', 'Default project', [], 0, 0, 0, '{}')`;
