import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "../../../core/events/event-model.js";
import { createPgSqlClient } from "../../../storage/postgres/pg-sql-client.js";
import { createPostgresErrors } from "../../../storage/postgres/postgres-errors.js";
import { migratePostgres } from "../../../storage/postgres/postgres-migrations.js";
import { createPostgresSink } from "../../../storage/postgres/postgres-sink.js";
import type { SqlClient } from "../../../storage/postgres/sql-client.js";
import { StorageUnavailableError } from "../../../storage/storage-errors.js";
import { createTestDatabase, postgresConnectionOf, type TestDatabase } from "../../support/databases.js";
import { sampleStoredEvent } from "../../support/sample-stored-event.js";

const event = (over: Partial<StoredEvent> = {}): StoredEvent => ({ ...sampleStoredEvent, uuid: randomUUID(), ...over });

/** The sink on a server: batches COPYed in, a batch holding a stored uuid inserted again skipping it. */
describe("the PostgreSQL sink", () => {
  let db: TestDatabase;
  let sql: SqlClient;
  const errors = createPostgresErrors({ target: "test", database: "test", user: "postgres", embedded: false });
  beforeAll(async () => {
    db = await createTestDatabase("postgres");
    sql = createPgSqlClient({ ...postgresConnectionOf(db.env), max: 2 });
    await migratePostgres(sql);
  });
  afterAll(async () => {
    await sql?.close();
    await db?.drop();
  });
  const stored = async () =>
    sql.query<{ uuid: string; project_id: string; event: string; distinct_id: string; properties: unknown; ts: string; received: string; clamped: boolean }>(
      `SELECT uuid::text, project_id, event, distinct_id, properties, (extract(epoch FROM event_timestamp) * 1000)::bigint::text AS ts,
        (extract(epoch FROM received_at) * 1000)::bigint::text AS received, timestamp_clamped AS clamped FROM events ORDER BY uuid`,
    );

  it("stores every column as it was captured, text COPY's special characters included", async () => {
    const sink = createPostgresSink(sql, errors);
    const odd = "tab\there, new\nline, cr\r, back\\slash, \\N, ünï ✓";
    const e = event({ projectId: "p\t1", event: odd, distinctId: odd, propertiesJson: JSON.stringify({ note: odd, n: 1 }), timestampClamped: true });
    await sink.insert([e]);
    const [row] = (await stored()).filter((r) => r.uuid === e.uuid);
    expect(row).toEqual({
      uuid: e.uuid,
      project_id: "p\t1",
      event: odd,
      distinct_id: odd,
      properties: { note: odd, n: 1 },
      ts: String(e.timestampMs),
      received: String(e.receivedAtMs),
      clamped: true,
    });
  });

  it("stores a redelivered batch, and one mixing stored and new events, once each", async () => {
    const sink = createPostgresSink(sql, errors);
    const first = Array.from({ length: 50 }, () => event({ projectId: "redelivery" }));
    const second = [...first.slice(25), ...Array.from({ length: 30 }, () => event({ projectId: "redelivery" })), first[3]];
    await sink.insert(first);
    await sink.insert(first);
    await sink.insert(second);
    const uuids = (await stored()).filter((r) => r.project_id === "redelivery").map((r) => r.uuid);
    expect(uuids.sort()).toEqual([...new Set([...first, ...second].map((e) => e.uuid))].sort());
  });

  it("refuses a batch with a row the database cannot take as that row's fault, not as an outage", async () => {
    const sink = createPostgresSink(sql, errors);
    const failure = await sink.insert([event(), event({ propertiesJson: "{not json" })]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(StorageUnavailableError);
    expect(errors.classify(failure)).toBe("permanent");
  });
});
