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
  ["trends?event=page_view", "breakdown"],
  ["trends?event=page_view&breakdown=feature&top=500", "top"],
];

describe("bad analytics parameters are refused before any query runs", () => {
  it.each(bad)("%s → 400 naming %s", async (query, field) => {
    const res = await fetch(`${server.url}/api/v1/analytics/${query.replace(/ /g, "%20")}`, { headers: asReader });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { field: string; message: string };
    expect(body.field).toBe(field);
    expect(body.message.startsWith(field)).toBe(true);
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
