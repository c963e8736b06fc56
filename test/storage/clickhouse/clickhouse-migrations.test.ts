import { type ClickHouseClient, createClient } from "@clickhouse/client";
import { describe, expect, inject, it } from "vitest";
import { openChdbClient } from "../../../storage/clickhouse/chdb-client.js";
import { createClickHouseAnalytics } from "../../../storage/clickhouse/clickhouse-analytics.js";
import { clickHouseMigrations, migrateClickHouse } from "../../../storage/clickhouse/clickhouse-migrations.js";
import { chdbInstalled } from "../../support/chdb-database.js";
import { createTestDatabase } from "../../support/databases.js";

const day = 86_400_000;

async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  return (await client.query({ query, format: "JSONEachRow" })).json<T>();
}

/** A database as the engine left it before projects (schema version 3), holding events and their rollup. */
async function beforeProjects(client: ClickHouseClient): Promise<number> {
  await client.command({ query: "CREATE TABLE schema_migrations (version UInt32, applied_at DateTime('UTC')) ENGINE = ReplacingMergeTree() ORDER BY version" });
  for (const m of clickHouseMigrations.filter((x) => x.version <= 3)) {
    if ("statements" in m) for (const statement of m.statements) await client.command({ query: statement });
    await client.insert({ table: "schema_migrations", values: [{ version: m.version, applied_at: 0 }], format: "JSONEachRow" });
  }
  const now = Math.floor(Date.now() / 1000);
  const events = Array.from({ length: 300 }, (_, i) => ({
    uuid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    event: i % 3 === 0 ? "most_used_feature" : "page_view",
    distinct_id: `user_${i % 25}`,
    properties: i % 3 === 0 ? `{"feature":"${["export", "search"][i % 2]}"}` : "{}",
    event_timestamp: now - (i % 20) * 86_400,
    timestamp_ms: (now - (i % 20) * 86_400) * 1000,
    received_at: now,
    timestamp_clamped: 0,
  }));
  await client.insert({ table: "events", values: events, format: "JSONEachRow" });
  await client.insert({ table: "events", values: events.slice(0, 40), format: "JSONEachRow" }); // redelivered copies, not yet merged
  return events.length;
}

async function migratesKeepingEverything(client: ClickHouseClient, connection: { url: string; database: string; username: string; password: string }) {
  const before = await beforeProjects(client);
  await migrateClickHouse(client, connection);
  await migrateClickHouse(client, connection); // a second worker starting later changes nothing

  const store = await createClickHouseAnalytics(client);
  const range = { startMs: Date.now() - 30 * day, endMs: Date.now() + day, tz: "UTC" };
  expect(await store.totalEvents({ ...range, projectId: "default" })).toBe(before);
  expect(await store.totalUsers({ ...range, projectId: "default" })).toBe(25); // from the rollup, per project now
  expect((await store.dailyActiveUsers({ ...range, projectId: "default" })).reduce((n, d) => n + d.users, 0)).toBeGreaterThan(25);
  expect(await store.totalEvents({ ...range, projectId: "other" })).toBe(0);
  expect(await store.totalUsers({ ...range, projectId: "other" })).toBe(0);
  // The project leads the sort key; the tables before projects are gone.
  const [{ statement }] = await rows<{ statement: string }>(client, "SHOW CREATE TABLE events");
  expect(statement.replace(/\s+/g, " ")).toMatch(/ORDER BY \(project_id, event,/);
  const tables = (await rows<{ name: string }>(client, "SELECT name FROM system.tables WHERE database = currentDatabase()")).map((t) => t.name);
  expect(tables).not.toContain("events_before_projects");
  expect(tables).not.toContain("user_hours");
  expect(tables).toEqual(expect.arrayContaining(["events", "project_user_hours", "projects", "api_keys"]));
}

describe("ClickHouse migration to projects over a table that already holds events", () => {
  it.skipIf(!inject("clickhouseUrl"))("on ClickHouse 18.16", async () => {
    const db = await createTestDatabase("clickhouse");
    const url = new URL(inject("clickhouseUrl")).origin;
    const connection = { url, database: db.env.CLICKHOUSE_DB, username: "default", password: "" };
    const admin = createClient({ url });
    await admin.command({ query: `CREATE DATABASE ${connection.database}` });
    await admin.close();
    const client = createClient({ url, database: connection.database });
    try {
      await migratesKeepingEverything(client, connection);
    } finally {
      await client.close();
      await db.drop();
    }
  });

  it.skipIf(!chdbInstalled())("on current ClickHouse (chdb)", async () => {
    const db = await createTestDatabase("chdb");
    const client = await openChdbClient(db.env.DATA_DIR);
    try {
      await migratesKeepingEverything(client, { url: "chdb", database: "default", username: "default", password: "" });
    } finally {
      await client.close();
      await db.drop();
    }
  });
});
