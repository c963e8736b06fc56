import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { buildFixture, type FixtureEvent } from "../support/analytics-fixture.js";
import * as oracle from "../support/analytics-oracle.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/databases.js";
import { postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { waitUntil } from "../support/wait.js";

const now = Date.now();
const fixture = buildFixture(now);
const day = 86_400_000;
const from = DateTime.fromMillis(now - 90 * day, { zone: "UTC" }).toISODate()!;
const to = DateTime.fromMillis(now + day, { zone: "UTC" }).toISODate()!;

describe.each(databaseKinds())("analytics on $kind equal the answers computed from the raw fixture", ({ kind, missing }) => {
  if (missing) {
    it.skip(`skipped: ${missing}`);
    return;
  }
  let db: TestDatabase;
  let server: InProcessServer;
  const get = async (path: string) => {
    const res = await fetch(`${server.url}/api/v1/analytics/${path}`);
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    return res.json() as Promise<any>;
  };

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    // The engine as `npm start` runs it: capture, in-process worker, analytics on one database.
    server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20" } });
    const wire = (e: FixtureEvent) => ({
      uuid: e.uuid,
      event: e.event,
      distinctId: e.distinctId,
      properties: e.properties,
      timestamp: new Date(e.ts).toISOString(),
    });
    for (let i = 0; i < fixture.length; i += 200) {
      const res = await postJson(`${server.url}/api/v1/batch`, { events: fixture.slice(i, i + 200).map(wire) });
      expect(res.json.rejected).toEqual([]);
    }
    // Redelivered duplicates: the same uuids again, as a retrying client would send them.
    await postJson(`${server.url}/api/v1/batch`, { events: fixture.slice(0, 150).map(wire) });
    // Total users is read from the ClickHouse rollup, which its materialized view writes just after
    // the events of the same INSERT become visible: wait for both.
    const totalUsers = oracle.totals(fixture).totalUsers;
    await waitUntil(
      "the fixture stored",
      async () => (await get("total-events")).totalEvents === String(fixture.length) && (await get("total-users")).totalUsers === totalUsers,
      { timeoutMs: 90_000 },
    );
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it.each(["UTC", "America/New_York", "Asia/Kolkata"])("dau and mau in %s", async (tz) => {
    expect((await get(`dau?days=45&tz=${tz}`)).days).toEqual(oracle.dau(fixture, now, 45, tz));
    expect((await get(`mau?months=4&tz=${encodeURIComponent(tz)}`)).months).toEqual(oracle.mau(fixture, now, 4, tz));
  });

  it("dau and mau with the original's defaults (30 days, 6 months)", async () => {
    expect((await get("dau")).days).toEqual(oracle.dau(fixture, now, 30, "UTC"));
    expect((await get("mau")).months).toEqual(oracle.mau(fixture, now, 6, "UTC"));
  });

  it("totals, most used feature, conversion funnel, most active users", async () => {
    const t = oracle.totals(fixture);
    expect(await get("total-users")).toEqual({ totalUsers: t.totalUsers });
    expect(await get("total-events")).toEqual({ totalEvents: t.totalEvents });
    expect(await get("most-used-feature")).toEqual(oracle.features(fixture));
    expect(await get("conversion-funnel")).toEqual(oracle.registeredToPaid(fixture));
    expect((await get("most-active-users")).users).toEqual(oracle.mostActive(fixture, 10));
    expect((await get("most-active-users?limit=3")).users).toEqual(oracle.mostActive(fixture, 3));
  });

  it("all, in one response", async () => {
    const all = await get("all");
    expect(all.totalUsers).toEqual({ totalUsers: oracle.totals(fixture).totalUsers });
    expect(all.dau.days).toEqual(oracle.dau(fixture, now, 30, "UTC"));
    expect(all.mostActiveUsers.users).toEqual(oracle.mostActive(fixture, 10));
  });

  it("ordered funnel with a conversion window", async () => {
    const steps = ["user_registered", "page_view", "payment_success"];
    for (const windowDays of [1, 14]) {
      const res = await get(`funnel?${steps.map((s) => `steps=${s}`).join("&")}&window_days=${windowDays}&from=${from}&to=${to}`);
      expect(res.steps.map((s: { users: string }) => Number(s.users))).toEqual(oracle.funnel(fixture, steps, windowDays * day));
    }
  });

  it("daily retention", async () => {
    const res = await get(`retention?start_event=user_registered&periods=5&from=${from}&to=${to}`);
    expect(res.cohorts.map((c: Record<string, unknown>) => ({ period: c.period, users: c.users, returning: c.returning }))).toEqual(
      oracle.retentionByDay(fixture, "user_registered", 5, "UTC"),
    );
  });

  it("trend broken down by a property, top values plus other", async () => {
    const res = await get(`trends?event=most_used_feature&breakdown=feature&top=2&from=${from}&to=${to}`);
    const totals = Object.fromEntries(res.series.map((s: { value: string; total: string }) => [s.value, Number(s.total)]));
    const f = oracle.features(fixture).top;
    const all = f.reduce((n, x) => n + Number(x.count), 0);
    expect(totals).toEqual({ [f[0].feature]: Number(f[0].count), [f[1].feature]: Number(f[1].count), other: all - Number(f[0].count) - Number(f[1].count) });
  });

  it("answers the same over gRPC", async () => {
    const client = createClient(AnalyticsService, createGrpcTransport({ baseUrl: server.url }));
    const res = await client.getMostActiveUsers({ limit: 5 });
    expect(res.users.map((u) => ({ distinctId: u.distinctId, events: String(u.events) }))).toEqual(oracle.mostActive(fixture, 5));
  });
});
