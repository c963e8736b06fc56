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
    const feature = (distinctId: string, name: string, time: string, uuid?: string) => ({
      event: "most_used_feature",
      distinctId,
      timestamp: at(time),
      properties: { feature: name },
      ...(uuid ? { uuid } : {}),
    });
    const copiedFeature = feature("u5", "export", "10:20:00", "1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b");
    await send([
      copied,
      { event: "page_view", distinctId: "u2", timestamp: at("10:45:00") },
      { event: "user_registered", distinctId: "u3", timestamp: at("11:30:00") },
      copiedFeature,
      feature("u6", "import", "11:05:00"),
    ]);
    await send([copied, copiedFeature]); // redelivered copies, stored as second rows until ClickHouse merges
    await waitUntil("stored", async () => (await totalEvents()) === "5");
    expect(await byEvent()).toEqual({ page_view: 2, user_registered: 1, most_used_feature: 2 });
    expect(await features()).toEqual({ export: 1, import: 1 });

    // Counted: both hours settle, and the answers come from the counts.
    expect(await database.rollups!.catchUp()).toBe(2);
    expect(await settledHours()).toBe(2);
    expect(await database.rollups!.catchUp()).toBe(0);
    expect(await totalEvents()).toBe("5");
    expect(await byEvent()).toEqual({ page_view: 2, user_registered: 1, most_used_feature: 2 });
    expect(await byEvent("America/New_York")).toEqual({ page_view: 2, user_registered: 1, most_used_feature: 2 });
    expect(await features()).toEqual({ export: 1, import: 1 });

    // A late event and more copies into a counted hour: the hour is counted from the events until counted again.
    await send([{ event: "page_view", distinctId: "u4", timestamp: at("10:50:00") }, feature("u7", "export", "10:55:00"), copied, copiedFeature]);
    await waitUntil("the late events stored", async () => (await totalEvents()) === "7");
    expect(await byEvent()).toEqual({ page_view: 3, user_registered: 1, most_used_feature: 3 });
    expect(await features()).toEqual({ export: 2, import: 1 });
    expect(await database.rollups!.catchUp()).toBe(1);
    expect(await totalEvents()).toBe("7");
    expect(await byEvent()).toEqual({ page_view: 3, user_registered: 1, most_used_feature: 3 });
    expect(await features()).toEqual({ export: 2, import: 1 });

    // Erasing the only users of an event name and of a feature: gone at once, and still gone once counted again.
    for (const distinctId of ["u3", "u6"]) {
      const erased = await postJson(`${server.url}/api/v1/admin/projects/default/erase`, { distinctId }, asAdmin);
      expect(erased.json).toEqual({ events: "1" });
    }
    expect(await totalEvents()).toBe("5");
    expect(await byEvent()).toEqual({ page_view: 3, most_used_feature: 2 });
    expect(await features()).toEqual({ export: 2 });
    expect(await database.rollups!.catchUp()).toBe(1);
    expect(await totalEvents()).toBe("5");
    expect(await byEvent()).toEqual({ page_view: 3, most_used_feature: 2 });
    expect(await features()).toEqual({ export: 2 });
  });

  it("count a retry stamped in the next hour once, counted or not, merged or not", async () => {
    const other = "2024-03-11";
    const uuid = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";
    const total = async () => (await readJson(`${server.url}/api/v1/analytics/total-events?from=${other}&to=${other}`)).totalEvents;
    const rows = async () =>
      (await (await ch.query({ query: `SELECT count() AS n FROM events WHERE uuid = '${uuid}'`, format: "JSONEachRow" })).json<{ n: string }>())[0].n;
    const later = "6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c";
    const copies = async () =>
      (await (await ch.query({ query: `SELECT count() AS n FROM events WHERE uuid = '${later}'`, format: "JSONEachRow" })).json<{ n: string }>())[0].n;
    // Copies of a uuid share their sort key: a background merge could fold them before they are seen as two.
    await ch.command({ query: "SYSTEM STOP MERGES events" });
    try {
      await send([{ event: "page_view", distinctId: "r1", uuid, timestamp: `${other}T12:59:59Z` }]);
      await send([{ event: "page_view", distinctId: "r1", uuid, timestamp: `${other}T13:00:01Z` }]); // the retry, stamped anew
      await waitUntil("both copies stored", async () => (await rows()) === "2");
      expect(await total()).toBe("1");
      expect(await database.rollups!.catchUp()).toBe(2);
      expect(await total()).toBe("1");
      // A retry into the next hour after the first copy's hour was counted: counted in the first copy's hour only.
      await send([{ event: "page_view", distinctId: "r2", uuid: later, timestamp: `${other}T15:59:58Z` }]);
      await waitUntil("the second event stored", async () => (await total()) === "2");
      expect(await database.rollups!.catchUp()).toBe(1);
      await send([{ event: "page_view", distinctId: "r2", uuid: later, timestamp: `${other}T16:00:02Z` }]);
      await waitUntil("its retry stored", async () => (await copies()) === "2");
      expect(await database.rollups!.catchUp()).toBe(1);
      expect(await total()).toBe("2");
    } finally {
      await ch.command({ query: "SYSTEM START MERGES events" });
    }
    await ch.command({ query: "OPTIMIZE TABLE events FINAL" });
    expect(await rows()).toBe("1");
    expect(await copies()).toBe("1");
    expect(await total()).toBe("2");
  });

  it("count nothing while an erasure's mutation is still rewriting the events", async () => {
    const other = "2024-03-12";
    await send([
      { event: "page_view", distinctId: "m1", timestamp: `${other}T10:00:00Z` },
      { event: "page_view", distinctId: "m2", timestamp: `${other}T10:30:00Z` },
    ]);
    const total = async () => (await readJson(`${server.url}/api/v1/analytics/total-events?from=${other}&to=${other}`)).totalEvents;
    await waitUntil("stored", async () => (await total()) === "2");
    expect(await database.rollups!.catchUp()).toBe(1);
    await ch.command({ query: "SYSTEM STOP MERGES events" }); // the mutation waits
    const erasing = postJson(`${server.url}/api/v1/admin/projects/default/erase`, { distinctId: "m1" }, asAdmin);
    try {
      const pending = async () =>
        (
          await (
            await ch.query({ query: "SELECT count() AS n FROM system.mutations WHERE table = 'events' AND is_done = 0", format: "JSONEachRow" })
          ).json<{ n: string }>()
        )[0].n !== "0";
      await waitUntil("the mutation pending", pending);
      // The hour changed (as when an erasure gave up waiting and marked its hours): still not counted while m1's rows are there.
      await ch.command({ query: `INSERT INTO event_hour_changes SELECT 'default', toDateTime('${other} 10:00:00', 'UTC'), 1, 7` });
      expect(await database.rollups!.catchUp()).toBe(0);
    } finally {
      await ch.command({ query: "SYSTEM START MERGES events" });
    }
    expect((await erasing).json).toEqual({ events: "1" });
    expect(await database.rollups!.catchUp()).toBe(1);
    expect(await total()).toBe("1");
  });

  it("read counted hours from the counts for whole-hour zones, and scan events for others", async () => {
    // A state only the counts hold: an hour in 2001 whose fingerprint its marker matches, and no event behind it.
    const hour = "toDateTime('2001-06-01 12:00:00', 'UTC')";
    await ch.command({ query: `INSERT INTO event_hour_changes SELECT 'default', ${hour}, 1, 42` });
    await ch.command({
      query: `INSERT INTO event_hour_counts (project_id, hour, event, feature, n, fingerprint, version)
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
