/**
 * Raw ceilings for the worker drain: the same rows written straight into a
 * fresh database migrated by the sink's own migrations (so the same tables,
 * indexes and materialized views), in sequential batches of the worker's
 * batch size, with no Redis and no decode.
 */

import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createClient } from "@clickhouse/client";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { StoredEvent } from "../../core/events/event-model.js";
import { clickHouseClientOptions } from "../../storage/clickhouse/clickhouse-client.js";
import { migrateClickHouse } from "../../storage/clickhouse/clickhouse-migrations.js";
import { toRow } from "../../storage/clickhouse/clickhouse-row-text.js";
import { createPgSqlClient } from "../../storage/postgres/pg-sql-client.js";
import { eventsCopyColumns, eventsCopyText } from "../../storage/postgres/postgres-copy-text.js";
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
  const client = new pg.Client(conn);
  await client.connect();
  const copyBatch = async (part: readonly StoredEvent[]) => {
    await pipeline(Readable.from([eventsCopyText(part)]), client.query(copyFrom(`COPY events (${eventsCopyColumns}) FROM STDIN`)));
  };
  return {
    name: "plain COPY (pg-copy-streams)",
    async run() {
      for (let i = 0; i < events.length; i += batchSize) await copyBatch(events.slice(i, i + batchSize));
    },
    async count() {
      return Number((await client.query("SELECT count(*)::int AS n FROM events")).rows[0].n);
    },
    close: () => client.end(),
  };
}
