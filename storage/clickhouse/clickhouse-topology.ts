import { chIdentifier, chString } from "./clickhouse-literal.js";

/**
 * Where the tables' rows live: on one server, or in a local table on every
 * shard of a cluster behind a Distributed table of the same name. Reads and
 * inserts name the table either way; what must reach the shards' own tables
 * (mutations, and the mutations' progress) asks here.
 */
export interface ClickHouseTopology {
  /** What `ALTER TABLE … DELETE` names to rewrite a table's rows. */
  alterTarget(table: string): string;
  /** How many mutations of the database (of one table, when named) are still running, on every server (a query of `n`). */
  runningMutations(table?: string): string;
}

/** The suffix of a shard's own table behind the Distributed one. */
export const localSuffix = "_local";

export function singleServer(): ClickHouseTopology {
  return {
    alterTarget: (table) => table,
    runningMutations: (table) =>
      `SELECT count() AS n FROM system.mutations WHERE database = currentDatabase()${table ? ` AND table = ${chString(table)}` : ""} AND is_done = 0`,
  };
}

export function clusterOf(cluster: string, database: string): ClickHouseTopology {
  return {
    alterTarget: (table) => `${chIdentifier(database)}.${chIdentifier(table + localSuffix)} ON CLUSTER ${chIdentifier(cluster)}`,
    // One replica of every shard (18.16 has no clusterAllReplicas): the replicas of a shard share its mutations.
    runningMutations: (table) =>
      `SELECT count() AS n FROM cluster(${chString(cluster)}, system, mutations)
       WHERE database = ${chString(database)}${table ? ` AND table = ${chString(table + localSuffix)}` : ""} AND is_done = 0`,
  };
}
