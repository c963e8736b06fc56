import { type ClickHouseClient, createClient } from "@clickhouse/client";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../../core/config/config.js";
import type { Database } from "../../../storage/database.js";
import { openDatabase } from "../../../storage/open-database.js";
import { createTestDatabase, type TestDatabase } from "../../support/databases.js";
import { postJson } from "../../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../../support/server/in-process-server.js";
import { asAdmin, asReader, readJson } from "../../support/test-keys.js";
import { waitUntil } from "../../support/wait.js";

const day = "2024-03-10";
const at = (time: string) => `${day}T${time}Z`;

describe.skipIf(!inject("clickhouseUrl"))("ClickHouse exact hourly event counts", () => {
  let db: TestDatabase;
  let server: InProcessServer;
  let database: Database;
  let ch: ClickHouseClient;
  const totalEvents = async () => (await readJson(`${server.url}/api/v1/analytics/total-events?from=${day}&to=${day}`)).totalEvents;
  /** Events per event name over the day, from the trends query broken down by event (the dashboard's top events). */
  const byEvent = async (tz = "UTC") => {
    const res = await postJson(
      `${server.url}/api/v1/analytics/insights/trends`,
      { series: [{ math: "total" }], interval: "hour", tz, from: day, to: day, breakdownType: "event", breakdownLimit: 10 },
      asReader,
    );
    expect(res.status, res.text).toBe(200);
    return Object.fromEntries(res.json.current.results.map((r: { breakdownValue: string; aggregate: number }) => [r.breakdownValue, r.aggregate]));
  };
  /** The most-used-feature route's ranking over the day: feature → count. */
  const features = async () =>
    Object.fromEntries(
      (await readJson(`${server.url}/api/v1/analytics/most-used-feature?from=${day}&to=${day}`)).top.map((t: { feature: string; count: string }) => [
        t.feature,
        Number(t.count),
      ]),
    );
  const settledHours = async () => {
    const rows = await (
      await ch.query({
        query: `SELECT count() AS n FROM (SELECT DISTINCT hour FROM event_hour_counts WHERE project_id = 'default' AND event = '' AND toDate(hour) = '${day}')`,
        format: "JSONEachRow",
      })
    ).json<{ n: string }>();
    return Number(rows[0].n);
  };
  const send = async (events: object[]) => expect((await postJson(`${server.url}/api/v1/batch`, { events })).json.accepted).toBe(events.length);

  beforeAll(async () => {
    db = await createTestDatabase("clickhouse");
    // The in-process worker's own upkeep runs once at start (before any event) and then not for an hour: the test counts when it wants.
    server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20", ROLLUP_CHECK_SECONDS: "3600" } });
    database = await openDatabase(loadConfig(db.env).database, pino({ level: "silent" }), { retryAfterSeconds: 1 });
    ch = createClient({ url: new URL(inject("clickhouseUrl")).origin, database: db.env.CLICKHOUSE_DB });
  }, 60_000);
  afterAll(async () => {
    await ch?.close();
    await database?.close();
    await server?.close();
    await db?.drop();
  });

  it("stay exact through copies, late events and an erasure, counted or not", async () => {
    const copied = { event: "page_view", distinctId: "u1", uuid: "7d3c1c52-6a0f-4c1e-9b6e-2f1a3b4c5d6e", timestamp: at("10:15:00") };
    await send([
      copied,
      { event: "page_view", distinctId: "u2", timestamp: at("10:45:00") },
      { event: "user_registered", distinctId: "u3", timestamp: at("11:30:00") },
    ]);
    await send([copied]); // a redelivered copy, stored as a second row until ClickHouse merges
    await waitUntil("stored", async () => (await totalEvents()) === "3");
    expect(await byEvent()).toEqual({ page_view: 2, user_registered: 1 });

    // Counted: both hours settle, and the answers come from the counts.
    expect(await database.rollups!.catchUp()).toBe(2);
    expect(await settledHours()).toBe(2);
    expect(await database.rollups!.catchUp()).toBe(0);
    expect(await totalEvents()).toBe("3");
    expect(await byEvent()).toEqual({ page_view: 2, user_registered: 1 });
    expect(await byEvent("America/New_York")).toEqual({ page_view: 2, user_registered: 1 });

    // A late event and another copy into a counted hour: the hour is counted from the events until counted again.
    await send([{ event: "page_view", distinctId: "u4", timestamp: at("10:50:00") }, copied]);
    await waitUntil("the late event stored", async () => (await totalEvents()) === "4");
    expect(await byEvent()).toEqual({ page_view: 3, user_registered: 1 });
    expect(await database.rollups!.catchUp()).toBe(1);
    expect(await totalEvents()).toBe("4");
    expect(await byEvent()).toEqual({ page_view: 3, user_registered: 1 });

    // Erasing the only user of an event name: gone at once, and still gone once counted again.
    const erased = await postJson(`${server.url}/api/v1/admin/projects/default/erase`, { distinctId: "u3" }, asAdmin);
    expect(erased.json).toEqual({ events: "1" });
    expect(await totalEvents()).toBe("3");
    expect(await byEvent()).toEqual({ page_view: 3 });
    expect(await database.rollups!.catchUp()).toBe(1);
    expect(await totalEvents()).toBe("3");
    expect(await byEvent()).toEqual({ page_view: 3 });
  });

  it("read counted hours from the counts for whole-hour zones, and scan events for others", async () => {
    // A state only the counts hold: an hour in 2001 whose fingerprint its marker matches, and no event behind it.
    const hour = "toDateTime('2001-06-01 12:00:00', 'UTC')";
    await ch.command({ query: `INSERT INTO event_hour_changes SELECT 'default', ${hour}, 1, 42` });
    await ch.command({
      query: `INSERT INTO event_hour_counts (project_id, hour, event, feature, n, fingerprint, computed_at_ms)
        SELECT 'default', ${hour}, arrayJoin(['', 'page_view', 'most_used_feature']) AS event, if(event = 'most_used_feature', 'ghost', ''),
          multiIf(event = '', 0, event = 'page_view', 5, 3), if(event = '', 42, 0), 1`,
    });
    const total = async (tz: string) => (await readJson(`${server.url}/api/v1/analytics/total-events?from=2001-06-01&to=2001-06-01&tz=${tz}`)).totalEvents;
    expect(await total("UTC")).toBe("8");
    expect(await total("Europe/Berlin")).toBe("8");
    expect(await readJson(`${server.url}/api/v1/analytics/most-used-feature?from=2001-06-01&to=2001-06-01`)).toMatchObject({ feature: "ghost", count: "3" });
    // Kolkata (+05:30) days do not start on UTC hours: the raw events answer, and there are none.
    expect(await total("Asia/Kolkata")).toBe("0");
    // The hour changes (its fingerprint moves): the events answer until it is counted again.
    await ch.command({ query: `INSERT INTO event_hour_changes SELECT 'default', ${hour}, 1, 1` });
    expect(await total("UTC")).toBe("0");
  });
});
