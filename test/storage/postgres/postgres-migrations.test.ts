import { describe, expect, it } from "vitest";
import { createPgSqlClient } from "../../../storage/postgres/pg-sql-client.js";
import { createPgliteSqlClient } from "../../../storage/postgres/pglite-sql-client.js";
import { createPostgresAnalytics } from "../../../storage/postgres/postgres-analytics.js";
import { migratePostgres, postgresMigrations } from "../../../storage/postgres/postgres-migrations.js";
import type { SqlClient } from "../../../storage/postgres/sql-client.js";
import { createTestDatabase, postgresConnectionOf } from "../../support/databases.js";

/** A database at schema version 1 holding events, as an older engine left it (before features and projects). */
async function atVersionOne(sql: SqlClient) {
  await sql.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
  for (const statement of postgresMigrations[0].sql
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean))
    await sql.query(statement);
  await sql.query("INSERT INTO schema_migrations (version) VALUES (1)");
  const rows: Array<[string, string]> = [
    ["most_used_feature", '{"feature":"export"}'],
    ["most_used_feature", '{"feature":"export"}'],
    ["most_used_feature", '{"feature":"search"}'],
    ["most_used_feature", '{"feature":7}'], // not a string: never a feature
    ["most_used_feature", '{"feature":""}'],
    ["most_used_feature", "{}"],
    ["page_view", '{"feature":"export"}'],
  ];
  for (const [i, [event, props]] of rows.entries()) {
    await sql.query(
      "INSERT INTO events (uuid, event, distinct_id, properties, event_timestamp, received_at) VALUES (gen_random_uuid(), $1, $2, $3::jsonb, now(), now())",
      [event, `u${i}`, props],
    );
  }
  return rows.length;
}

async function migratesKeepingEverything(sql: SqlClient) {
  const before = await atVersionOne(sql);
  await migratePostgres(sql);
  await migratePostgres(sql); // a second worker starting later changes nothing
  const [{ n }] = await sql.query<{ n: string }>("SELECT count(*) AS n FROM events");
  expect(Number(n)).toBe(before);
  // Every event stored before projects belongs to the default project, and to no other.
  const range = { startMs: 0, endMs: Date.now() + 60_000, tz: "UTC" };
  const store = createPostgresAnalytics(sql);
  expect(await store.totalEvents({ ...range, projectId: "default" })).toBe(before);
  expect(await store.topFeatures({ ...range, projectId: "default" }, 10)).toEqual([
    { feature: "export", count: 2 },
    { feature: "search", count: 1 },
  ]);
  expect(await store.totalEvents({ ...range, projectId: "other" })).toBe(0);
  // The same uuid may now be stored once in each project.
  const [{ uuid }] = await sql.query<{ uuid: string }>("SELECT uuid FROM events LIMIT 1");
  await sql.query(
    "INSERT INTO events (project_id, uuid, event, distinct_id, properties, event_timestamp, received_at) VALUES ('other', $1, 'page_view', 'u', '{}', now(), now())",
    [uuid],
  );
  expect(await store.totalEvents({ ...range, projectId: "other" })).toBe(1);
}

describe("PostgreSQL migrations over a table that already holds events", () => {
  it("on a PostgreSQL server", async () => {
    const db = await createTestDatabase("postgres"); // a database of its own: other files use the shared one's events table
    const sql = createPgSqlClient({ ...postgresConnectionOf(db.env), max: 1 });
    try {
      await migratesKeepingEverything(sql);
    } finally {
      await sql.close();
      await db.drop();
    }
  });

  it("on embedded PGlite", async () => {
    const db = await createTestDatabase("pglite");
    const sql = await createPgliteSqlClient(db.env.DATA_DIR);
    try {
      await migratesKeepingEverything(sql);
    } finally {
      await sql.close();
      await db.drop();
    }
  });
});
