import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { buildFixture } from "../support/analytics-fixture.js";
import * as oracle from "../support/analytics-oracle.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/databases.js";
import { loadFixture } from "../support/fixture-loading.js";
import { postJson } from "../support/http-client.js";
import { type Filter, holds, type Series, trendLines } from "../support/insights-oracle.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asReader, sendingKey, testKeys } from "../support/test-keys.js";

const now = Date.now();
const fixture = buildFixture(now);
const day = 86_400_000;

/** A range of whole local days as the API takes it, and the same range in epoch ms for the oracle. */
function range(tz: string, fromDaysAgo: number, toDaysAhead: number) {
  const today = DateTime.fromMillis(now, { zone: tz }).startOf("day");
  const from = today.minus({ days: fromDaysAgo });
  const to = today.plus({ days: toDaysAhead });
  return { tz, from: from.toISODate()!, to: to.toISODate()!, start: from.toMillis(), end: to.plus({ days: 1 }).startOf("day").toMillis() };
}

const wide = range("UTC", 90, 1);

describe.each(databaseKinds())("the trends insight on $kind equals the answers computed from the raw fixture", ({ kind, missing }) => {
  if (missing) {
    it.skip(`skipped: ${missing}`);
    return;
  }
  let db: TestDatabase;
  let server: InProcessServer;
  const trends = async (body: Record<string, unknown>) => {
    const res = await postJson(`${server.url}/api/v1/analytics/insights/trends`, body, asReader);
    expect(res.status, res.text).toBe(200);
    return res.json;
  };
  /** The API's answer for one series equals the oracle's lines: values at every point, the aggregate, the breakdown values in order. */
  async function expectSeries(s: Series, q: { r?: ReturnType<typeof range>; interval?: string; filters?: Filter[]; breakdown?: string; limit?: number }) {
    const r = q.r ?? wide;
    const interval = q.interval ?? "day";
    const byEvent = q.breakdown === "$event";
    const res = await trends({
      series: [s],
      interval,
      tz: r.tz,
      from: r.from,
      to: r.to,
      filters: q.filters ?? [],
      ...(q.breakdown ? { breakdown: byEvent ? "" : q.breakdown, breakdownType: byEvent ? "event" : "property" } : {}),
      ...(q.limit ? { breakdownLimit: q.limit } : {}),
    });
    const lines = trendLines(fixture, s, { start: r.start, end: r.end, tz: r.tz, interval, filters: q.filters, breakdown: q.breakdown, limit: q.limit });
    const points: string[] = res.current.points;
    expect(res.current.results.map((x: { breakdownValue: string }) => x.breakdownValue)).toEqual(lines.map((l) => l.breakdownValue));
    for (const [i, line] of lines.entries()) {
      const got = res.current.results[i];
      for (const p of line.byPoint.keys()) expect(points, `${p} is a point`).toContain(p);
      const expected = points.map((p) => line.byPoint.get(p) ?? 0);
      expect(got.values.length).toBe(points.length);
      for (const [k, v] of (got.values as number[]).entries()) expect(v, `${line.breakdownValue} at ${points[k]}`).toBeCloseTo(expected[k], 6);
      expect(got.aggregate, `${line.breakdownValue} over the range`).toBeCloseTo(line.aggregate, 6);
    }
    return res;
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    // ROLLUP_CHECK_SECONDS: on ClickHouse, hours are counted every second while the questions run, so answers
    // read counted hours beside hours counted from the events (both must equal the oracle's).
    server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20", ROLLUP_CHECK_SECONDS: "1" } });
    await loadFixture(server.url, testKeys, fixture);
    await new Promise((r) => setTimeout(r, 1500)); // one count of the loaded hours before the first question
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it.each<Series>([
    { event: "page_view", math: "total" },
    { event: "", math: "total" },
    { event: "page_view", math: "unique_users" },
    { event: "most_used_feature", math: "sum", mathProperty: "duration" },
    { event: "most_used_feature", math: "avg", mathProperty: "duration" },
    { event: "payment_success", math: "min", mathProperty: "amount" },
    { event: "", math: "max", mathProperty: "amount" },
  ])("math $math of $event per day", async (s) => {
    await expectSeries(s, {});
  });

  it.each<[string, Filter[]]>([
    ["equals", [{ property: "plan", operator: "equals", value: "pro" }]],
    ["equals a boolean", [{ property: "returning", operator: "equals", value: "true" }]],
    ["equals a number", [{ property: "amount", operator: "equals", value: "499" }]],
    ["not_equals (missing counts)", [{ property: "path", operator: "not_equals", value: "/home" }]],
    ["contains, ignoring case", [{ property: "path", operator: "contains", value: "PRIC" }]],
    ["is_set", [{ property: "feature", operator: "is_set", value: "" }]],
    ["is_not_set (null counts)", [{ property: "coupon", operator: "is_not_set", value: "" }]],
    ["gt", [{ property: "duration", operator: "gt", value: "4" }]],
    ["lt", [{ property: "amount", operator: "lt", value: "100.5" }]],
    ["equals a number written with an exponent", [{ property: "ratio", operator: "equals", value: "0.0000005" }]],
    ["not_equals a number written with an exponent", [{ property: "ratio", operator: "not_equals", value: "5e-7" }]],
    [
      "two at once",
      [
        { property: "path", operator: "equals", value: "/pricing" },
        { property: "returning", operator: "equals", value: "false" },
      ],
    ],
  ])("filter %s", async (_, filters) => {
    expect(
      fixture.some((e) => filters.every((f) => holds(e, f))),
      "the fixture has matching events",
    ).toBe(true);
    await expectSeries({ event: "", math: "total" }, { filters });
    await expectSeries({ event: "", math: "unique_users", filters }, {});
  });

  it("arrays and objects are not text: contains finds nothing in them, is_set sees them", async () => {
    const inArrays: Filter[] = [{ property: "tags", operator: "contains", value: "a" }];
    const setArrays: Filter[] = [{ property: "meta", operator: "is_set", value: "" }];
    expect(fixture.some((e) => holds(e, setArrays[0]))).toBe(true);
    const none = await expectSeries({ event: "", math: "total" }, { filters: inArrays });
    expect(none.current.results[0].aggregate).toBe(0);
    await expectSeries({ event: "", math: "total" }, { filters: setArrays });
  });

  it.each(["UTC", "America/New_York", "Asia/Kolkata"])("every interval in %s", async (tz) => {
    const s = { event: "", math: "unique_users" };
    await expectSeries(s, { r: range(tz, 3, 0), interval: "hour" });
    await expectSeries(s, { r: range(tz, 40, 1), interval: "day" });
    const weeks = await expectSeries(s, { r: range(tz, 60, 1), interval: "week" });
    expect(weeks.current.points.every((p: string) => DateTime.fromISO(p).weekday === 1)).toBe(true);
    const months = await expectSeries({ event: "", math: "total" }, { r: range(tz, 90, 1), interval: "month" });
    expect(months.current.points.every((p: string) => p.endsWith("-01"))).toBe(true);
  });

  it("breakdowns: top values plus other, users of other counted once, by event name, (none) for missing", async () => {
    await expectSeries({ event: "most_used_feature", math: "total" }, { breakdown: "feature", limit: 2 });
    await expectSeries({ event: "most_used_feature", math: "unique_users" }, { breakdown: "feature", limit: 2 });
    await expectSeries({ event: "most_used_feature", math: "avg", mathProperty: "duration" }, { breakdown: "feature", limit: 3 });
    await expectSeries({ event: "", math: "total" }, { breakdown: "$event", limit: 3 });
    const res = await expectSeries({ event: "", math: "unique_users" }, { breakdown: "plan", interval: "week" });
    expect(res.current.results.map((x: { breakdownValue: string }) => x.breakdownValue)).toContain("(none)");
  });

  it("comparison with the previous period of the same length, and points not yet begun", async () => {
    const r = range("UTC", 13, 2);
    const res = await trends({ series: [{ event: "page_view" }, { event: "", math: "unique_users" }], tz: "UTC", from: r.from, to: r.to, compare: true });
    expect(res.current.points.length).toBe(16);
    expect(res.current.observedPoints).toBe(14); // today has begun, tomorrow and the day after have not
    expect(res.previous.points.length).toBe(16);
    expect(res.previous.to).toBe(DateTime.fromISO(r.from).minus({ days: 1 }).toISODate());
    const before = { start: r.start - 16 * day, end: r.start, tz: "UTC", interval: "day" };
    expect(res.previous.results[0].aggregate).toBe(trendLines(fixture, { event: "page_view", math: "total" }, before)[0].aggregate);
    expect(res.previous.results[1].aggregate).toBe(trendLines(fixture, { event: "", math: "unique_users" }, before)[0].aggregate);
    expect(res.current.results.map((x: { series: number; label: string }) => [x.series, x.label])).toEqual([
      [0, "page_view"],
      [1, "All events"],
    ]);
  });

  it("funnels and retention take the same filters", async () => {
    const steps = ["user_registered", "page_view", "payment_success"];
    const pro: Filter[] = [{ property: "currency", operator: "is_not_set", value: "" }];
    const kept = fixture.filter((e) => pro.every((f) => holds(e, f)));
    const q = `&from=${wide.from}&to=${wide.to}&filters=${encodeURIComponent(JSON.stringify(pro))}`;
    const funnel: any = await (
      await fetch(`${server.url}/api/v1/analytics/funnel?${steps.map((s) => `steps=${s}`).join("&")}${q}`, { headers: asReader })
    ).json();
    expect(oracle.funnel(kept, steps, 14 * day), "the filter changes the answer").not.toEqual(oracle.funnel(fixture, steps, 14 * day));
    expect(funnel.steps.map((s: { users: string }) => Number(s.users))).toEqual(oracle.funnel(kept, steps, 14 * day));
    const plan: Filter[] = [{ property: "path", operator: "is_not_set", value: "" }];
    const retention: any = await (
      await fetch(
        `${server.url}/api/v1/analytics/retention?start_event=user_registered&periods=5&from=${wide.from}&to=${wide.to}&filters=${encodeURIComponent(JSON.stringify(plan))}`,
        {
          headers: asReader,
        },
      )
    ).json();
    const expected = oracle.retentionByDay(
      fixture.filter((e) => plan.every((f) => holds(e, f))),
      "user_registered",
      5,
      "UTC",
      now,
    );
    expect(retention.cohorts.map((c: Record<string, unknown>) => ({ period: c.period, users: c.users, returning: c.returning }))).toEqual(expected);
  });

  it("the totals routes read from and to in the zone asked for", async () => {
    const r = range("Asia/Kolkata", 10, 0);
    const inRange = fixture.filter((e) => e.ts >= r.start && e.ts < r.end);
    const q = `from=${r.from}&to=${r.to}&tz=${r.tz}`;
    const get = async (path: string) => (await fetch(`${server.url}/api/v1/analytics/${path}`, { headers: asReader })).json() as Promise<any>;
    expect(await get(`total-events?${q}`)).toEqual({ totalEvents: oracle.totals(inRange).totalEvents });
    expect(await get(`total-users?${q}`)).toEqual({ totalUsers: oracle.totals(inRange).totalUsers });
    expect(await get(`conversion-funnel?${q}`)).toEqual(oracle.registeredToPaid(inRange));
    expect((await get(`most-active-users?limit=5&${q}`)).users).toEqual(oracle.mostActive(inRange, 5));
    expect((await get(`most-used-feature?${q}`)).top).toEqual(oracle.features(inRange).top);
  });

  it("answers the same over gRPC", async () => {
    const client = createClient(AnalyticsService, createGrpcTransport({ interceptors: [sendingKey(testKeys.read)], baseUrl: server.url }));
    const res = await client.queryTrends({ series: [{ event: "page_view", math: "unique_users" }], from: wide.from, to: wide.to });
    const rest = await trends({ series: [{ event: "page_view", math: "unique_users" }], from: wide.from, to: wide.to });
    expect(res.current?.points).toEqual(rest.current.points);
    expect(res.current?.results[0].values).toEqual(rest.current.results[0].values);
  });
});
