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
