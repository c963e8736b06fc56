import { createClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../../support/databases.js";
import { postJson } from "../../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../../support/server/in-process-server.js";
import { asReader, readJson } from "../../support/test-keys.js";
import { waitUntil } from "../../support/wait.js";

const kinds = databaseKinds().filter((k) => k.kind === "clickhouse" || k.kind === "chdb");
const day = "2024-05-02";

describe.each(kinds)("ClickHouse's standard-property bits on $kind", ({ kind, missing }) => {
  if (missing) {
    it.skip(`skipped: ${missing}`);
    return;
  }
  let db: TestDatabase;
  let server: InProcessServer;
  const count = async (filters: object[]) => {
    const res = await postJson(
      `${server.url}/api/v1/analytics/insights/trends`,
      { series: [{ math: "total" }], interval: "day", from: day, to: day, filters },
      asReader,
    );
    expect(res.status, res.text).toBe(200);
    return res.json.current.results[0]?.aggregate ?? 0;
  };

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20" } });
    const events = [
      { event: "page_view", distinctId: "w1", timestamp: `${day}T10:00:00Z`, properties: { $browser: "Firefox", $geoip_country_code: "FR", plan: "pro" } },
      { event: "page_view", distinctId: "w2", timestamp: `${day}T11:00:00Z`, properties: { path: "/pricing", note: 'has "$pathname": in a value' } },
    ];
    expect((await postJson(`${server.url}/api/v1/batch`, { events })).json.accepted).toBe(2);
    await waitUntil("stored", async () => (await readJson(`${server.url}/api/v1/analytics/total-events?from=${day}&to=${day}`)).totalEvents === "2");
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it("are written as events are stored", async () => {
    if (kind !== "clickhouse") return; // the embedded database has no second client to look with
    const ch = createClient({ url: new URL(inject("clickhouseUrl")).origin, database: db.env.CLICKHOUSE_DB });
    try {
      const rows = await (
        await ch.query({ query: "SELECT distinct_id, standard_properties AS bits FROM events ORDER BY distinct_id", format: "JSONEachRow" })
      ).json();
      // $browser is bit 5, $geoip_country_code bit 8, path bit 12.
      expect(rows).toEqual([
        { distinct_id: "w1", bits: (1 << 5) | (1 << 8) },
        { distinct_id: "w2", bits: 1 << 12 },
      ]);
    } finally {
      await ch.close();
    }
  });

  it("leave filters on properties events have reading the events", async () => {
    expect(await count([{ property: "$browser", operator: "is_set" }])).toBe(1);
    expect(await count([{ property: "$browser", operator: "equals", value: "Firefox" }])).toBe(1);
    expect(await count([{ property: "$geoip_country_code", operator: "contains", value: "f" }])).toBe(1);
    expect(await count([{ property: "path", operator: "is_set" }])).toBe(1);
    expect(await count([{ property: "plan", operator: "is_set" }])).toBe(1);
  });

  it("answer nothing for a standard property no event has, and keep filters that pass without it", async () => {
    expect(await count([{ property: "$pathname", operator: "is_set" }])).toBe(0);
    expect(await count([{ property: "$pathname", operator: "equals", value: "/" }])).toBe(0);
    expect(
      await count([
        { property: "$browser", operator: "is_set" },
        { property: "$os", operator: "is_set" },
      ]),
    ).toBe(0);
    expect(await count([{ property: "$pathname", operator: "is_not_set" }])).toBe(2);
    expect(await count([{ property: "$pathname", operator: "not_equals", value: "/" }])).toBe(2);
    expect(
      await count([
        { property: "$os", operator: "is_not_set" },
        { property: "$browser", operator: "is_set" },
      ]),
    ).toBe(1);
  });
});
