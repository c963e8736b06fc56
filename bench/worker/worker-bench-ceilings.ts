/**
 * Raw ceilings for the worker drain: the same rows written straight into a
 * fresh database migrated by the sink's own migrations (so the same tables,
 * indexes and materialized views), in sequential batches of the worker's
 * batch size, with no Redis and no decode.
 */

import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createClient } from "@clickhouse/client";
import pg from "pg";
import type { StoredEvent } from "../../core/events/event-model.js";
import { clickHouseClientOptions } from "../../storage/clickhouse/clickhouse-client.js";
import { migrateClickHouse } from "../../storage/clickhouse/clickhouse-migrations.js";
import { toRow } from "../../storage/clickhouse/clickhouse-row-text.js";
import { createPgSqlClient } from "../../storage/postgres/pg-sql-client.js";
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

/** pg-copy-streams when installed (not a dependency: `npm install --no-save pg-copy-streams`). */
export async function loadCopyFrom(): Promise<((sql: string) => Writable & pg.Submittable) | undefined> {
  const name = "pg-copy-streams";
  try {
    return ((await import(name)) as { from: (sql: string) => Writable & pg.Submittable }).from;
  } catch {
    return undefined;
  }
}

const copyEscape = (s: string) => s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
const iso = (ms: number) => new Date(ms).toISOString();
const columns = "uuid, event, distinct_id, properties, event_timestamp, received_at, timestamp_clamped";

/**
 * COPY … FROM STDIN (text format) per batch into an existing, empty database
 * (migrated here); without pg-copy-streams, a multi-row INSERT per batch.
 */
export async function preparePostgresCeiling(conn: pg.ClientConfig, events: readonly StoredEvent[], batchSize: number) {
  const copyFrom = await loadCopyFrom();
  const schema = createPgSqlClient({ ...conn, max: 1 });
  try {
    await migratePostgres(schema);
  } finally {
    await schema.close();
  }
  const client = new pg.Client(conn);
  await client.connect();
  const copyBatch = async (part: readonly StoredEvent[]) => {
    const text = part
      .map(
        (e) =>
          `${e.uuid}\t${copyEscape(e.event)}\t${copyEscape(e.distinctId)}\t${copyEscape(e.propertiesJson)}\t${iso(e.timestampMs)}\t${iso(e.receivedAtMs)}\t${e.timestampClamped ? "t" : "f"}\n`,
      )
      .join("");
    await pipeline(Readable.from([text]), client.query(copyFrom!(`COPY events (${columns}) FROM STDIN`)));
  };
  const insertBatch = async (part: readonly StoredEvent[]) => {
    const params: unknown[] = [];
    const tuples = part.map((e, i) => {
      params.push(e.uuid, e.event, e.distinctId, e.propertiesJson, iso(e.timestampMs), iso(e.receivedAtMs), e.timestampClamped);
      return `($${i * 7 + 1}, $${i * 7 + 2}, $${i * 7 + 3}, $${i * 7 + 4}::jsonb, $${i * 7 + 5}, $${i * 7 + 6}, $${i * 7 + 7})`;
    });
    await client.query(`INSERT INTO events (${columns}) VALUES ${tuples.join(", ")}`, params);
  };
  return {
    name: copyFrom ? "plain COPY (pg-copy-streams)" : "multi-row INSERT (pg-copy-streams NOT installed: not a COPY ceiling)",
    async run() {
      for (let i = 0; i < events.length; i += batchSize) await (copyFrom ? copyBatch : insertBatch)(events.slice(i, i + batchSize));
    },
    async count() {
      return Number((await client.query("SELECT count(*)::int AS n FROM events")).rows[0].n);
    },
    close: () => client.end(),
  };
}
