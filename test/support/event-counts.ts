import type { Database } from "../../storage/database.js";

export interface EventCounts {
  /** Distinct event uuids stored. */
  uuids: number;
  /** Rows as every query sees them once duplicates are folded (ClickHouse FINAL; PostgreSQL rows). */
  rows: number;
}

/** Counts what a database stored, through its own connection (PGlite allows no second one). */
export async function countEvents(db: Database): Promise<EventCounts> {
  const c = db.connection;
  if (c.kind === "clickhouse") {
    const query = "SELECT uniqExact(uuid) AS uuids, (SELECT count() FROM events FINAL) AS rows FROM events";
    const [r] = await (await c.client.query({ query, format: "JSONEachRow" })).json<{ uuids: string; rows: string }>();
    return { uuids: Number(r.uuids), rows: Number(r.rows) };
  }
  const [r] = await c.sql.query<{ uuids: string; rows: string }>("SELECT count(DISTINCT uuid) AS uuids, count(*) AS rows FROM events");
  return { uuids: Number(r.uuids), rows: Number(r.rows) };
}

/** The uuids stored, for exact comparisons. */
export async function storedUuids(db: Database): Promise<Set<string>> {
  const c = db.connection;
  if (c.kind === "clickhouse") {
    const rows = await (await c.client.query({ query: "SELECT DISTINCT toString(uuid) AS uuid FROM events", format: "JSONEachRow" })).json<{ uuid: string }>();
    return new Set(rows.map((r) => r.uuid));
  }
  return new Set((await c.sql.query<{ uuid: string }>("SELECT uuid::text AS uuid FROM events")).map((r) => r.uuid));
}
