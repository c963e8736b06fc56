import type { ClickHouseClient } from "@clickhouse/client";
import { chString } from "./clickhouse-literal.js";

/** Whether the current database has the table (and that column of it): migrations look before they change the schema. */
export async function schemaHas(client: ClickHouseClient, table: string, column?: string): Promise<boolean> {
  const query = column
    ? `SELECT count() AS n FROM system.columns WHERE database = currentDatabase() AND table = ${chString(table)} AND name = ${chString(column)}`
    : `SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = ${chString(table)}`;
  const [{ n }] = await (await client.query({ query, format: "JSONEachRow" })).json<{ n: string }>();
  return Number(n) > 0;
}

/** The migration versions recorded as applied (schema_migrations). */
export async function appliedMigrations(client: ClickHouseClient): Promise<Set<number>> {
  const rows = await (await client.query({ query: "SELECT DISTINCT version FROM schema_migrations", format: "JSONEachRow" })).json<{ version: number }>();
  return new Set(rows.map((r) => Number(r.version)));
}

/** Records a migration version as applied. */
export async function recordMigration(client: ClickHouseClient, version: number): Promise<void> {
  await client.insert({ table: "schema_migrations", values: [{ version, applied_at: Math.floor(Date.now() / 1000) }], format: "JSONEachRow" });
}
