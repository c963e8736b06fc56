import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { DatabaseConfig } from "../../core/config/config.js";

/** A server and database; `cluster` "" or absent for one server. */
export type ClickHouseConnection = Omit<DatabaseConfig["clickhouse"], "cluster"> & { cluster?: string };

/**
 * The client's JSON handling: a batch already serialized by the sink goes
 * through insert() as it is (chdb and other injected clients); anything else
 * is stringified as usual.
 */
export const rowsAsText = {
  parse: JSON.parse,
  stringify: (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value)),
};

/**
 * HTTP client settings. Reads and writes get a client each, so analytics never
 * wait behind the worker's inserts for a socket (and the other way round);
 * `connections` caps the sockets, requests beyond it wait for one.
 * The worker bench's raw-insert ceiling uses the same settings.
 */
export function clickHouseClientOptions(c: ClickHouseConnection, connections: number, requestTimeoutMs: number) {
  return {
    url: c.url,
    database: c.database,
    username: c.username,
    password: c.password,
    request_timeout: requestTimeoutMs,
    max_open_connections: connections,
    compression: { request: false, response: false },
    // Failures are classified and logged once by their caller; the client's own error log would print each retry.
    log: { level: ClickHouseLogLevel.OFF },
    json: rowsAsText,
    ...(c.cluster ? { clickhouse_settings: clusterSettings } : {}),
  };
}

/**
 * On a cluster: an insert through a Distributed table answers once every shard wrote its rows (not when the
 * server queued them to send later), so an acknowledged batch is stored and seen; a subquery of a query on a
 * Distributed table reads each shard's own table, where one person's rows all are (clickhouse-tables.ts).
 */
const clusterSettings = { insert_distributed_sync: 1, distributed_product_mode: "local" } as const;

export function createClickHouseClient(c: ClickHouseConnection, connections: number, requestTimeoutMs: number): ClickHouseClient {
  return createClient(clickHouseClientOptions(c, connections, requestTimeoutMs));
}

/** Work done from the "default" database: the configured one may not exist yet. */
export async function onDefaultDatabase<T>(c: ClickHouseConnection, work: (admin: ClickHouseClient) => Promise<T>): Promise<T> {
  const admin = createClient(clickHouseClientOptions({ ...c, database: "default" }, 1, 600_000));
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}
