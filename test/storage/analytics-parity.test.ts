import { randomUUID } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { createProject } from "../support/admin-requests.js";
import { buildFixture, type FixtureEvent } from "../support/analytics-fixture.js";
import * as oracle from "../support/analytics-oracle.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/databases.js";
import { loadFixture } from "../support/fixture-loading.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { sendingKey, testKeys, withKey } from "../support/test-keys.js";

const now = Date.now();
const fixture = buildFixture(now);
/** Events only one project has, on top of the fixture both share (the same uuids in both: a uuid is unique per project). */
const ownEvents = (project: string): FixtureEvent[] =>
  Array.from({ length: 12 }, (_, i) => ({
    uuid: randomUUID(),
    event: ["page_view", "most_used_feature", "user_registered"][i % 3],
    distinctId: `${project}_only_${i % 4}`,
    properties: i % 3 === 1 ? { feature: `only-${project}` } : {},
    ts: Math.floor((now - (i + 1) * 3 * 3_600_000) / 1000) * 1000,
  }));
const projectNames = ["default", "second"] as const;
const dataOf = Object.fromEntries(projectNames.map((p) => [p, [...fixture, ...ownEvents(p)]])) as Record<(typeof projectNames)[number], FixtureEvent[]>;
const day = 86_400_000;
const from = DateTime.fromMillis(now - 90 * day, { zone: "UTC" }).toISODate()!;
const to = DateTime.fromMillis(now + day, { zone: "UTC" }).toISODate()!;
/** Events of the last `n` UTC days, today included: a route's default range. */
const inLastDays = (n: number) => {
  const end = DateTime.fromMillis(now, { zone: "UTC" }).startOf("day").plus({ days: 1 });
  return (e: FixtureEvent) => e.ts >= end.minus({ days: n }).toMillis() && e.ts < end.toMillis();
};

describe.each(databaseKinds())("analytics on $kind equal the answers computed from the raw fixture, per project", ({ kind, missing }) => {
  if (missing) {
    it.skip(`skipped: ${missing}`);
    return;
  }
  let db: TestDatabase;
  let server: InProcessServer;
  const projectKeys: Record<string, { write: string; read: string }> = { default: { write: testKeys.write, read: testKeys.read } };
  const get = async (project: string, path: string) => {
    const res = await fetch(`${server.url}/api/v1/analytics/${path}`, { headers: withKey(projectKeys[project].read) });
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    return res.json() as Promise<any>;
  };

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    // The engine as `npm start` runs it: capture, in-process worker, analytics on one database.
    server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20", ROLLUP_CHECK_SECONDS: "1" } });
    const second = await createProject(server.url, { id: "second", name: "Second" });
    projectKeys.second = { write: second.writeKey, read: second.readKey };
    for (const project of projectNames) await loadFixture(server.url, projectKeys[project], dataOf[project]);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  describe.each(projectNames)("the %s project's read key", (project) => {
    const data = dataOf[project];
    it.each(["UTC", "America/New_York", "Asia/Kolkata"])("dau and mau in %s", async (tz) => {
      expect((await get(project, `dau?days=45&tz=${tz}`)).days).toEqual(oracle.dau(data, now, 45, tz));
      expect((await get(project, `mau?months=4&tz=${encodeURIComponent(tz)}`)).months).toEqual(oracle.mau(data, now, 4, tz));
    });

    it("dau and mau with the original's defaults (30 days, 6 months)", async () => {
      expect((await get(project, "dau")).days).toEqual(oracle.dau(data, now, 30, "UTC"));
      expect((await get(project, "mau")).months).toEqual(oracle.mau(data, now, 6, "UTC"));
    });

    it("totals, most used feature, conversion funnel, most active users", async () => {
      const t = oracle.totals(data);
      expect(await get(project, "total-users")).toEqual({ totalUsers: t.totalUsers });
      expect(await get(project, "total-events")).toEqual({ totalEvents: t.totalEvents });
      expect(await get(project, "most-used-feature")).toEqual(oracle.features(data));
      expect(await get(project, "conversion-funnel")).toEqual(oracle.registeredToPaid(data));
      expect((await get(project, "most-active-users")).users).toEqual(oracle.mostActive(data, 10));
      expect((await get(project, "most-active-users?limit=3")).users).toEqual(oracle.mostActive(data, 3));
    });

    it("all, in one response", async () => {
      const all = await get(project, "all");
      expect(all.totalUsers).toEqual({ totalUsers: oracle.totals(data).totalUsers });
      expect(all.dau.days).toEqual(oracle.dau(data, now, 30, "UTC"));
      expect(all.mostActiveUsers.users).toEqual(oracle.mostActive(data, 10));
      // The parameterised routes, with the original project's questions as their defaults.
      expect(all.funnel).toEqual(await get(project, "funnel?steps=user_registered&steps=payment_success"));
      expect(all.retention).toEqual(await get(project, "retention?start_event=user_registered"));
      expect(all.trends).toEqual(await get(project, "trends?event=most_used_feature&breakdown=feature"));
      expect(all.funnel.steps.map((s: { users: string }) => s.users)).toEqual(
        oracle.funnel(data.filter(inLastDays(30)), ["user_registered", "payment_success"], 14 * day).map(String),
      );
    });

    it("ordered funnel with a conversion window", async () => {
      const steps = ["user_registered", "page_view", "payment_success"];
      for (const windowDays of [1, 14]) {
        const res = await get(project, `funnel?${steps.map((s) => `steps=${s}`).join("&")}&window_days=${windowDays}&from=${from}&to=${to}`);
        expect(res.steps.map((s: { users: string }) => Number(s.users))).toEqual(oracle.funnel(data, steps, windowDays * day));
      }
    });

    it("daily retention", async () => {
      const res = await get(project, `retention?start_event=user_registered&periods=5&from=${from}&to=${to}`);
      expect(res.cohorts.map((c: Record<string, unknown>) => ({ period: c.period, users: c.users, returning: c.returning }))).toEqual(
        oracle.retentionByDay(data, "user_registered", 5, "UTC", now),
      );
      // The cohort of today has only period +0 so far; one of three days ago has +0…+3.
      const lengths = new Map(res.cohorts.map((c: { period: string; returning: unknown[] }) => [c.period, c.returning.length]));
      const daysAgo = (n: number) => DateTime.fromMillis(now, { zone: "UTC" }).minus({ days: n }).toISODate()!;
      for (const n of [0, 1, 3]) if (lengths.has(daysAgo(n))) expect(lengths.get(daysAgo(n))).toBe(n + 1);
      expect(res.cohorts.every((c: { rates: unknown[]; returning: unknown[] }) => c.rates.length === c.returning.length)).toBe(true);
    });

    it("weekly retention in a zone: the same through a filter every event passes (ClickHouse: rollup against the events)", async () => {
      const q = `retention?start_event=user_registered&period=week&periods=4&from=${from}&to=${to}&tz=America/New_York`;
      const everyEvent = encodeURIComponent(JSON.stringify([{ property: "no_such_property", operator: "is_not_set" }]));
      const plain = await get(project, q);
      expect(plain.cohorts.length).toBeGreaterThan(0);
      expect(plain.cohorts.some((c: { returning: string[] }) => c.returning.slice(1).some((n) => Number(n) > 0))).toBe(true);
      expect(await get(project, `${q}&filters=${everyEvent}`)).toEqual(plain);
    });

    it("trend broken down by a property, top values plus other", async () => {
      const res = await get(project, `trends?event=most_used_feature&breakdown=feature&top=2&from=${from}&to=${to}`);
      const totals = Object.fromEntries(res.series.map((s: { value: string; total: string }) => [s.value, Number(s.total)]));
      const f = oracle.features(data).top;
      const all = f.reduce((n, x) => n + Number(x.count), 0);
      expect(totals).toEqual({ [f[0].feature]: Number(f[0].count), [f[1].feature]: Number(f[1].count), other: all - Number(f[0].count) - Number(f[1].count) });
    });

    it("answers the same over gRPC", async () => {
      const client = createClient(AnalyticsService, createGrpcTransport({ interceptors: [sendingKey(projectKeys[project].read)], baseUrl: server.url }));
      const res = await client.getMostActiveUsers({ limit: 5 });
      expect(res.users.map((u) => ({ distinctId: u.distinctId, events: String(u.events) }))).toEqual(oracle.mostActive(data, 5));
    });
  });
});
