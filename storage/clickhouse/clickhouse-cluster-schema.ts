import type { ClickHouseClient } from "@clickhouse/client";
import { ConfigError } from "../../core/errors/config-error.js";
import { type ClickHouseConnection, onDefaultDatabase } from "./clickhouse-client.js";
import { chIdentifier, chString } from "./clickhouse-literal.js";
import { appliedMigrations, recordMigration } from "./clickhouse-schema.js";
import { standardPropertiesMask } from "./clickhouse-standard-properties.js";
import {
  apiKeysTable,
  defaultProjectRow,
  engineClause,
  eventHourChangesRows,
  eventHourChangesTable,
  eventHourCountsTable,
  eventsTable,
  personLinksTable,
  personPropertiesTable,
  projectsTable,
  projectUserHoursRows,
  projectUserHoursTable,
  schemaMigrationsTable,
  type TableSpec,
} from "./clickhouse-tables.js";
import { localSuffix } from "./clickhouse-topology.js";

/**
 * The schema on a cluster (CLICKHOUSE_CLUSTER): every statement ON CLUSTER
 * (so the server needs a keeper and <distributed_ddl>, as every ClickHouse
 * cluster has), each table as `<name>_local` on every shard behind a
 * Distributed `<name>` sharded by the table's key: one person's events, rollup
 * rows and properties on one shard, so a redelivered copy folds where its
 * original is and a subquery matching one event's or one user's rows (the
 * count settler's) finds them on its own shard.
 * Views read the shard's own events into its own rollups. When a shard has
 * more than one replica the engines are Replicated (keeper path per shard and
 * table; the cluster must set internal_replication).
 *
 * A cluster starts at the migrations' latest version, created at once; the
 * versions it covers are recorded as applied.
 */
export const clusterBaseVersion = 7;

/** The tables of clusterBaseVersion, each with what it adds on a cluster. */
const tables: Array<{ spec: TableSpec; extraColumns?: string[] }> = [
  // A DEFAULT, not MATERIALIZED as on one server: a Distributed table sends every column it computed, and a
  // shard refuses a value for a MATERIALIZED one. Only the sink writes events and it never names the column.
  { spec: eventsTable, extraColumns: [`standard_properties UInt16 DEFAULT ${standardPropertiesMask()}`] },
  { spec: projectUserHoursTable },
  { spec: eventHourChangesTable },
  { spec: eventHourCountsTable },
  { spec: projectsTable },
  { spec: apiKeysTable },
  { spec: personPropertiesTable },
  { spec: personLinksTable },
];

const views = [
  { name: "project_user_hours_mv", to: projectUserHoursTable.name, rows: projectUserHoursRows },
  { name: "event_hour_changes_mv", to: eventHourChangesTable.name, rows: eventHourChangesRows },
];

export async function migrateClickHouseCluster(
  client: ClickHouseClient,
  c: ClickHouseConnection & { cluster: string },
  versions: ReadonlyArray<{ version: number; cluster?: (ddl: ClusterDdl) => string[] }>,
): Promise<void> {
  // The database may not exist yet: asked from "default", where the cluster's database is then made.
  const replicated = await onDefaultDatabase(c, async (admin) => {
    const [{ shards, replicas }] = await (
      await admin.query({
        query: `SELECT uniqExact(shard_num) AS shards, max(replica_num) AS replicas FROM system.clusters WHERE cluster = ${chString(c.cluster)}`,
        format: "JSONEachRow",
      })
    ).json<{ shards: string; replicas: string }>();
    if (Number(shards) === 0) throw new ConfigError("CLICKHOUSE_CLUSTER", `ClickHouse at ${c.url} has no cluster "${c.cluster}" in its remote_servers`);
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${chIdentifier(c.database)} ON CLUSTER ${chIdentifier(c.cluster)}` });
    return Number(replicas) > 1;
  });
  const ddl = clusterDdl(c, replicated);
  for (const statement of ddl.table(schemaMigrationsTable)) await client.command({ query: statement });
  const applied = await appliedMigrations(client);
  const record = (version: number) => recordMigration(client, version);
  if (!applied.has(clusterBaseVersion)) {
    for (const { spec, extraColumns } of tables) for (const statement of ddl.table(spec, extraColumns)) await client.command({ query: statement });
    for (const v of views) await client.command({ query: ddl.view(v.name, v.to, v.rows) });
    await client.command({ query: defaultProjectRow });
    for (const m of versions) if (m.version <= clusterBaseVersion) await record(m.version);
  }
  for (const m of versions) {
    if (m.version <= clusterBaseVersion || applied.has(m.version)) continue;
    if (!m.cluster) throw new Error(`ClickHouse migration ${m.version} has no form for a cluster`);
    for (const statement of m.cluster(ddl)) await client.command({ query: statement });
    await record(m.version);
  }
}

/** DDL for a cluster's tables, for the base schema and later migrations. */
export interface ClusterDdl {
  /** A shard's own table and the Distributed table in front of it. */
  table(spec: TableSpec, extraColumns?: string[]): string[];
  /** A view from every shard's events into the same shard's `to` table. */
  view(name: string, to: string, rows: (events: string) => string): string;
}

function clusterDdl(c: ClickHouseConnection & { cluster: string }, replicated: boolean): ClusterDdl {
  const db = chIdentifier(c.database);
  const on = `ON CLUSTER ${chIdentifier(c.cluster)}`;
  const local = (name: string) => `${db}.${chIdentifier(name + localSuffix)}`;
  return {
    table(spec, extraColumns = []) {
      // {shard} and {replica} are the server's macros: one keeper path per shard and table, one entry per replica.
      const keeper = replicated ? [chString(`/clickhouse/tables/{shard}/${c.database}.${spec.name}`), "'{replica}'"] : undefined;
      const distributed = [chIdentifier(c.cluster), db, chIdentifier(spec.name + localSuffix), ...(spec.shardBy ? [spec.shardBy] : [])].join(", ");
      return [
        `CREATE TABLE IF NOT EXISTS ${local(spec.name)} ${on} (\n  ${[...spec.columns, ...extraColumns].join(",\n  ")}\n) ${engineClause(spec, keeper)}`,
        `CREATE TABLE IF NOT EXISTS ${db}.${chIdentifier(spec.name)} ${on} AS ${local(spec.name)} ENGINE = Distributed(${distributed})`,
      ];
    },
    view: (name, to, rows) => `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${chIdentifier(name)} ${on} TO ${local(to)} AS ${rows(local("events"))}`,
  };
}
