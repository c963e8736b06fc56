import type { ClickHouseClient } from "@clickhouse/client";
import type { EventSink } from "../../worker/sink/event-sink.js";
import type { SqlClient } from "../../worker/sink/sql-client.js";

export interface EventCounts {
  /** Distinct event uuids stored. */
  uuids: number;
  /** Rows as every query sees them once duplicates are folded (ClickHouse FINAL; PostgreSQL rows). */
  rows: number;
}

/** Counts what a sink stored, through the sink's own connection (PGlite allows no second one). */
export async function countEvents(sink: EventSink): Promise<EventCounts> {
  const s = sink as EventSink & { client?: ClickHouseClient; db?: SqlClient };
  if (s.client) {
    const [r] = await (
      await s.client.query({ query: "SELECT uniqExact(uuid) AS uuids, (SELECT count() FROM events FINAL) AS rows FROM events", format: "JSONEachRow" })
    ).json<{ uuids: string; rows: string }>();
    return { uuids: Number(r.uuids), rows: Number(r.rows) };
  }
  const [r] = await s.db!.query<{ uuids: string; rows: string }>("SELECT count(DISTINCT uuid) AS uuids, count(*) AS rows FROM events");
  return { uuids: Number(r.uuids), rows: Number(r.rows) };
}

/** The uuids stored, for exact comparisons. */
export async function storedUuids(sink: EventSink): Promise<Set<string>> {
  const s = sink as EventSink & { client?: ClickHouseClient; db?: SqlClient };
  if (s.client) {
    const rows = await (await s.client.query({ query: "SELECT DISTINCT toString(uuid) AS uuid FROM events", format: "JSONEachRow" })).json<{ uuid: string }>();
    return new Set(rows.map((r) => r.uuid));
  }
  return new Set((await s.db!.query<{ uuid: string }>("SELECT uuid::text AS uuid FROM events")).map((r) => r.uuid));
}
