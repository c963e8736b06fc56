import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asReader, sendingKey, testKeys } from "../support/test-keys.js";

// The database behind this server cannot be reached: a request that got past
// validation would try it and answer 503, so a 400 proves nothing was executed.
let server: InProcessServer;
beforeAll(async () => {
  server = await startInProcessServer({ env: { DATABASE_TYPE: "postgres", POSTGRES_HOST: "127.0.0.1", POSTGRES_PORT: "1", STARTUP_TIMEOUT_MS: "0" } });
});
afterAll(() => server.close());

const bad: Array<[string, string]> = [
  ["dau?days=abc", "days"],
  ["dau?days=0", "days"],
  ["dau?days=-3", "days"],
  ["dau?days=1.5", "days"],
  ["dau?days=3651", "days"],
  ["dau?days=1;drop table events", "days"],
  ["dau?days=30' OR '1'='1", "days"],
  ["dau?days=99999999999999999999", "days"],
  ["mau?months=0", "months"],
  ["mau?months=121", "months"],
  ["mau?months=six", "months"],
  ["most-active-users?limit=99999", "limit"],
  ["most-active-users?limit=0", "limit"],
  ["most-active-users?limit=ten", "limit"],
  ["dau?tz=Mars/Olympus", "tz"],
  ["dau?tz=UTC';DROP TABLE events;--", "tz"],
  ["dau?tz=../../etc/passwd", "tz"],
  ["total-users?from=yesterday", "from"],
  ["total-users?from=2026-02-30", "from"],
  ["total-users?to=2026-13-01", "to"],
  ["total-users?from=2026-05-01&to=2026-04-01", "from"],
  ["funnel?steps=user_registered", "steps"],
  // Named as the caller spelled them; a missing one by the name the README's URLs use.
  ["funnel?steps=a&steps=b&window_days=0", "window_days"],
  ["funnel?steps=a&steps=b&windowDays=0", "windowDays"],
  ["funnel?steps=a&steps=b&window_days=2&windowDays=3", "windowDays"],
  ["retention?start_event=user_registered&period=month", "period"],
  ["retention?period=day", "start_event"],
  ["retention?startEvent=", "startEvent"],
  ["retention?start_event=a&return_event=%00", "return_event"],
  // Unknown and repeated parameters are refused, not ignored.
  ["dau?bogus=1", "bogus"],
  ["dau?day=7", "day"],
  ["dau?days=30&days=7", "days"],
  ["total-events?tz=UTC&tz=Europe/Berlin", "tz"],
  ["all?days=7", "days"],
  ["persons/u1?distinct_id=u2", "distinct_id"],
  // Filters travel as one JSON array.
  ["funnel?steps=a&steps=b&filters=nope", "filters"],
  ["funnel?steps=a&steps=b&filters=%7B%7D", "filters"],
  ["funnel?steps=a&steps=b&filters=%5B%5D&filters=%5B%5D", "filters"],
  [`funnel?steps=a&steps=b&filters=${encodeURIComponent(JSON.stringify([{ property: "p", operator: "like", value: "x" }]))}`, "filters[0].operator"],
  [`retention?start_event=a&filters=${encodeURIComponent(JSON.stringify([{ property: "", operator: "equals", value: "x" }]))}`, "filters[0].property"],
  ["trends?event=page_view", "breakdown"],
  ["trends?event=page_view&breakdown=feature&top=500", "top"],
];

const trendsBodies: Array<[string, Record<string, unknown>, string]> = [
  ["no series", { series: [] }, "series"],
  ["eleven series", { series: Array.from({ length: 11 }, () => ({ event: "a" })) }, "series"],
  ["an unknown math", { series: [{ event: "a", math: "median" }] }, "series[0].math"],
  ["sum without a property", { series: [{ event: "a", math: "sum" }] }, "series[0].mathProperty"],
  ["a property for a count", { series: [{ event: "a", mathProperty: "x" }] }, "series[0].mathProperty"],
  ["a NUL in an event name", { series: [{ event: "a\u0000" }] }, "series[0].event"],
  ["an unknown operator", { series: [{}], filters: [{ property: "p", operator: "~", value: "x" }] }, "filters[0].operator"],
  ["gt with text", { series: [{}], filters: [{ property: "p", operator: "gt", value: "ten" }] }, "filters[0].value"],
  ["equals with nothing", { series: [{ filters: [{ property: "p", operator: "equals" }] }] }, "series[0].filters[0].value"],
  ["is_set with a value", { series: [{}], filters: [{ property: "p", operator: "is_set", value: "x" }] }, "filters[0].value"],
  ["21 filters", { series: [{}], filters: Array.from({ length: 21 }, () => ({ property: "p", operator: "is_set" })) }, "filters"],
  ["a quarter interval", { series: [{}], interval: "quarter" }, "interval"],
  ["hours over ten years", { series: [{}], interval: "hour", days: 3650 }, "interval"],
  ["a breakdown limit of 51", { series: [{}], breakdown: "p", breakdownLimit: 51 }, "breakdownLimit"],
  ["a limit without a breakdown", { series: [{}], breakdownLimit: 5 }, "breakdownLimit"],
  ["an unknown breakdown type", { series: [{}], breakdown: "p", breakdownType: "person" }, "breakdownType"],
  ["a bad zone", { series: [{}], tz: "Nowhere/Land" }, "tz"],
];

describe("bad insights queries are refused before any query runs", () => {
  it.each(trendsBodies)("%s → 400 naming %s", async (_, body, field) => {
    const res = await fetch(`${server.url}/api/v1/analytics/insights/trends`, {
      method: "POST",
      headers: { ...asReader, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { field: string }).field).toBe(field);
  });
});

describe("bad analytics parameters are refused before any query runs", () => {
  it.each(bad)("%s → 400 naming %s", async (query, field) => {
    const res = await fetch(`${server.url}/api/v1/analytics/${query.replace(/ /g, "%20")}`, { headers: asReader });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { field: string; message: string };
    expect(body.field).toBe(field);
    expect(body.message.startsWith(field)).toBe(true);
  });

  it("a cache-buster (`_`) and a capture key parameter are not the route's parameters, and not refused", async () => {
    for (const q of ["dau?days=7&_=1733486400000", "total-users?api_key=ipw_x"]) {
      expect((await fetch(`${server.url}/api/v1/analytics/${q}`, { headers: asReader })).status, q).toBe(503);
    }
  });

  it("a valid request does reach the (unreachable) database: 503, not 500", async () => {
    const res = await fetch(`${server.url}/api/v1/analytics/dau?days=30`, { headers: asReader });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBeTruthy();
  });

  it("gRPC answers INVALID_ARGUMENT for the same mistakes", async () => {
    const client = createClient(AnalyticsService, createGrpcTransport({ interceptors: [sendingKey(testKeys.read)], baseUrl: server.url }));
    const err = ConnectError.from(await client.getDailyActiveUsers({ days: 0 }).catch((e: unknown) => e));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toMatch(/^days /);
    const tz = ConnectError.from(await client.getMonthlyActiveUsers({ tz: "Mars/Olympus" }).catch((e: unknown) => e));
    expect(tz.code).toBe(Code.InvalidArgument);
    const ok = ConnectError.from(await client.getTotalUsers({}).catch((e: unknown) => e));
    expect(ok.code).toBe(Code.Unavailable);
  });
});
