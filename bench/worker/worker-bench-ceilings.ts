import { createClient } from "@clickhouse/client";
import type pg from "pg";
import type { StoredEvent } from "../../core/events/event-model.js";
import { clickHouseClientOptions } from "../../storage/clickhouse/clickhouse-client.js";
import { migrateClickHouse } from "../../storage/clickhouse/clickhouse-migrations.js";
import { toRow } from "../../storage/clickhouse/clickhouse-row-text.js";
import { createPgSqlClient } from "../../storage/postgres/pg-sql-client.js";
import { eventsCopySql, eventsCopyText } from "../../storage/postgres/postgres-copy-text.js";
import { migratePostgres } from "../../storage/postgres/postgres-migrations.js";

export interface ChConn {
  url: string;
  /** Created and migrated here. */
  database: string;
  user: string;
  password: string;
}

/** The sink's own row mapping, applied before the clock starts (the client still serializes them to JSONEachRow). */
export const clickHouseRows = (events: readonly StoredEvent[]) => events.map(toRow);

/** Returns a function that inserts all rows in batches; the schema is created first (not timed). */
export async function prepareClickHouseCeiling(c: ChConn, rows: readonly object[], batchSize: number) {
  // The sink's own client settings (HTTP, no compression); it passes the row objects through JSON.stringify.
  const client = createClient(clickHouseClientOptions({ url: c.url, database: c.database, username: c.user, password: c.password }, 4, 30_000));
  await migrateClickHouse(client, { url: c.url, database: c.database, username: c.user, password: c.password });
  return {
    async run() {
      for (let i = 0; i < rows.length; i += batchSize) {
        await client.insert({ table: "events", values: rows.slice(i, i + batchSize), format: "JSONEachRow" });
      }
    },
    async count() {
      const r = await (await client.query({ query: "SELECT count() AS n FROM events", format: "JSONEachRow" })).json<{ n: string }>();
      return Number(r[0].n);
    },
    close: () => client.close(),
  };
}

/**
 * COPY … FROM STDIN (text format, the sink's own lines) per batch into an existing, empty database
 * (migrated here): the worker's PostgreSQL ceiling.
 */
export async function preparePostgresCeiling(conn: pg.ClientConfig, events: readonly StoredEvent[], batchSize: number) {
  const schema = createPgSqlClient({ ...conn, max: 1 });
  try {
    await migratePostgres(schema);
  } finally {
    await schema.close();
  }
  // One connection, through the same COPY path the sink uses (copyIn), without its fallback or arrays.
  const client = createPgSqlClient({ ...conn, max: 1 });
  return {
    name: "plain COPY (pg-copy-streams)",
    async run() {
      for (let i = 0; i < events.length; i += batchSize) await client.copyIn!(eventsCopySql, eventsCopyText(events.slice(i, i + batchSize)));
    },
    async count() {
      return Number((await client.query<{ n: number }>("SELECT count(*)::int AS n FROM events"))[0].n);
    },
    close: () => client.close(),
  };
}
