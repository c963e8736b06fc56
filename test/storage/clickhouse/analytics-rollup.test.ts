import { type ClickHouseClient, createClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../support/databases.js";
import { postJson } from "../../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../../support/server/in-process-server.js";
import { readJson } from "../../support/test-keys.js";
import { waitUntil } from "../../support/wait.js";

describe.skipIf(!inject("clickhouseUrl"))("ClickHouse rollups for distinct users", () => {
  let db: TestDatabase;
  let server: InProcessServer;
  let ch: ClickHouseClient;
  const get = (path: string) => readJson(`${server.url}/api/v1/analytics/${path}`);

  beforeAll(async () => {
    db = await createTestDatabase("clickhouse");
    server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20" } });
    ch = createClient({ url: new URL(inject("clickhouseUrl")).origin, database: db.env.CLICKHOUSE_DB });
  }, 60_000);
  afterAll(async () => {
    await ch?.close();
    await server?.close();
    await db?.drop();
  });

  it("are kept at insert time, duplicate-safe", async () => {
    const uuid = "0b5a3e7e-2d1c-4f5e-9a8b-1c2d3e4f5a6b";
    const events = [
      { event: "page_view", distinctId: "r1", uuid, timestamp: "2024-03-10T10:15:00Z" },
      { event: "page_view", distinctId: "r2", timestamp: "2024-03-10T10:45:00Z" },
      { event: "page_view", distinctId: "r1", timestamp: "2024-03-10T23:30:00Z" },
    ];
    expect((await postJson(`${server.url}/api/v1/batch`, { events })).json.accepted).toBe(3);
    expect((await postJson(`${server.url}/api/v1/batch`, { events: [events[0]] })).json.accepted).toBe(1); // redelivered copy
    await waitUntil("stored", async () => (await get("total-events?from=2024-03-10&to=2024-03-10")).totalEvents === "3");
    await waitUntil("rolled up", async () => {
      const [row] = await (
        await ch.query({
          query: "SELECT uniqExact(user) AS u FROM project_user_hours WHERE project_id = 'default' AND toDate(hour) = '2024-03-10'",
          format: "JSONEachRow",
        })
      ).json<{ u: string }>();
      return row.u === "2";
    });
    expect((await get("dau?from=2024-03-10&to=2024-03-10")).days).toEqual([{ date: "2024-03-10", users: "2" }]);
  });

  it("answer DAU, MAU and total users from the rollup for whole-hour zones, and scan events for others", async () => {
    // A state only the rollup holds: an hour in 2001 with one user and no event behind it.
    await ch.command({
      query:
        "INSERT INTO project_user_hours SELECT 'default' AS project_id, toDateTime('2001-06-01 12:00:00', 'UTC') AS hour, toUUID(UUIDNumToString(sipHash128('ghost'))) AS user",
    });
    expect((await get("dau?from=2001-06-01&to=2001-06-01")).days).toEqual([{ date: "2001-06-01", users: "1" }]);
    expect((await get("dau?from=2001-06-01&to=2001-06-01&tz=America/New_York")).days).toEqual([{ date: "2001-06-01", users: "1" }]);
    expect((await get("mau?from=2001-06-01&to=2001-06-30")).months).toEqual([{ month: "2001-06", users: "1" }]);
    expect(await get("total-users?from=2001-06-01&to=2001-06-01")).toEqual({ totalUsers: "1" });
    // Kolkata (+05:30) days do not start on UTC hours: the raw events answer, and there are none.
    expect((await get("dau?from=2001-06-01&to=2001-06-01&tz=Asia/Kolkata")).days).toEqual([{ date: "2001-06-01", users: "0" }]);
  });
});
