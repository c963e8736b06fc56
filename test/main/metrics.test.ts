import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaptureService } from "../../gen/insightplus/v1/capture_service_pb.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { postJson } from "../support/http-client.js";
import { type InProcessWorker, startInProcessWorker } from "../support/in-process-worker.js";
import { freePort } from "../support/ports.js";
import { parsePrometheusText } from "../support/prometheus-text.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asAdmin, asReader, asWriter, readJson, sendingKey, testKeyEnv, testKeys } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

const day = new Date().toISOString().slice(0, 10);

async function scrape(url: string) {
  const res = await fetch(`${url}/metrics`, { headers: asAdmin });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const { types, samples } = parsePrometheusText(await res.text());
  const matching = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  /** The sum of the samples named `name` (a histogram's: `<name>_count`) whose labels include `labels`. */
  const value = (name: string, labels: Record<string, string> = {}) =>
    matching(types.get(name) === "histogram" ? `${name}_count` : name, labels).reduce((sum, s) => sum + s.value, 0);
  return { types, matching, value };
}

describe("/metrics (Prometheus), with an in-process worker", () => {
  let db: TestDatabase;
  let server: InProcessServer;

  beforeAll(async () => {
    db = await createTestDatabase("postgres");
    server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20" } });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it("is for an admin key only", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: asReader })).status).toBe(403);
    expect((await fetch(`${server.url}/metrics`, { headers: asWriter })).status).toBe(403);
    expect((await fetch(`${server.url}/metrics?api_key=${testKeys.admin}`)).status).toBe(401); // never a key from the URL
  });

  it("counts requests by protocol, route and outcome, events by outcome, the worker's batches and the queue per partition", async () => {
    const before = await scrape(server.url);
    expect((await postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "m-rest" }, asWriter)).status).toBe(200);
    expect((await postJson(`${server.url}/api/v1/capture`, { event: "page_view" }, asWriter)).status).toBe(400);
    const grpc = createClient(CaptureService, createGrpcTransport({ baseUrl: server.url, interceptors: [sendingKey()] }));
    await grpc.capture({ event: "page_view", distinctId: "m-grpc" });
    await expect(grpc.capture({ event: "page_view", distinctId: "" })).rejects.toThrow(/distinctId/);
    // Connect (JSON) refused: its code, not its HTTP status, is the outcome.
    const connect = await postJson(`${server.url}/insightplus.v1.CaptureService/Capture`, { event: "page_view" }, asWriter);
    expect(connect.status).toBe(400);
    const posthog = await postJson(`${server.url}/batch/`, { api_key: testKeys.write, batch: [{ event: "$pageview", distinct_id: "m-ph", properties: {} }] });
    expect(posthog.status).toBe(200);
    await waitUntil("stored", async () => (await readJson(`${server.url}/api/v1/analytics/total-events?from=${day}&to=${day}`)).totalEvents === "3");
    // A batch is counted as stored once acknowledged, just after the database took it.
    const storedBefore = before.value("insightplus_worker_stored_events_total");
    await waitUntil("acknowledged", async () => (await scrape(server.url)).value("insightplus_worker_stored_events_total") - storedBefore >= 3);

    const after = await scrape(server.url);
    const grew = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(grew("insightplus_requests_total", { protocol: "rest", route: "/api/v1/capture", outcome: "ok" })).toBe(1);
    expect(grew("insightplus_requests_total", { protocol: "rest", route: "/api/v1/capture", outcome: "invalid" })).toBe(1);
    const rpc = "/insightplus.v1.CaptureService/Capture";
    expect(grew("insightplus_requests_total", { protocol: "grpc", route: rpc, outcome: "ok" })).toBe(1);
    expect(grew("insightplus_requests_total", { protocol: "grpc", route: rpc, outcome: "invalid" })).toBe(1);
    expect(grew("insightplus_requests_total", { protocol: "connect", route: rpc, outcome: "invalid" })).toBe(1);
    expect(grew("insightplus_requests_total", { protocol: "posthog", outcome: "ok" })).toBe(1);
    expect(grew("insightplus_request_duration_seconds", { protocol: "rest", route: "/api/v1/analytics/total-events" })).toBeGreaterThanOrEqual(1);
    expect(grew("insightplus_captured_events_total", { outcome: "queued" })).toBe(3);
    expect(grew("insightplus_captured_events_total", { outcome: "rejected" })).toBe(3);
    expect(grew("insightplus_worker_stored_events_total", {})).toBe(3);
    expect(grew("insightplus_worker_batch_events", {})).toBeGreaterThanOrEqual(1);
    expect(after.types.get("insightplus_worker_batch_duration_seconds")).toBe("histogram");
    // Every partition reported, drained and acknowledged by now; Node's own figures beside them.
    const partitions = after.matching("insightplus_queue_pending").map((s) => s.labels.partition);
    expect(partitions).toEqual(Array.from({ length: 16 }, (_, p) => String(p)));
    expect(after.value("insightplus_queue_pending")).toBe(0);
    expect(after.value("insightplus_queue_lag")).toBe(0);
    expect(after.types.get("insightplus_nodejs_heap_size_used_bytes")).toBe("gauge");
  });
});

describe("/readyz with the database down", () => {
  let server: InProcessServer;
  beforeAll(async () => {
    // PostgreSQL named at a port where nothing listens: the server starts (its worker runs apart), the database never answers.
    const env = { DATABASE_TYPE: "postgres", POSTGRES_HOST: "127.0.0.1", POSTGRES_PORT: String(await freePort()), STARTUP_TIMEOUT_MS: "1000" };
    server = await startInProcessServer({ env });
  }, 60_000);
  afterAll(() => server?.close());

  it("is 503 naming the database, while /readyz/capture is 200 and events are still taken", async () => {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "unavailable", queue: true, database: false });
    const capture = await fetch(`${server.url}/readyz/capture`);
    expect([capture.status, await capture.json()]).toEqual([200, { status: "ready", queue: true }]);
    expect((await postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "db-down" }, asWriter)).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/analytics/total-events?from=${day}&to=${day}`, { headers: asReader })).status).toBe(503);
    // The admin key is configured, so /metrics answers without the database; the failed query is counted.
    const { value } = await scrape(server.url);
    expect(value("insightplus_database_errors_total", { operation: "query", class: "unavailable" })).toBeGreaterThanOrEqual(1);
  });
});

describe("a separate worker's /metrics (WORKER_METRICS_PORT)", () => {
  let db: TestDatabase;
  let server: InProcessServer;
  let worker: InProcessWorker;
  beforeAll(async () => {
    db = await createTestDatabase("postgres");
    server = await startInProcessServer({ env: db.env });
    worker = await startInProcessWorker(server.streamKey, db.env, { ...testKeyEnv, WORKER_METRICS_PORT: String(await freePort()), WORKER_LINGER_MS: "20" });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await server?.close();
    await db?.drop();
  });

  it("serves the worker's batches and the queue per partition, for an admin key only", async () => {
    const url = `http://127.0.0.1:${worker.metricsPort}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: asReader })).status).toBe(403);
    const events = Array.from({ length: 20 }, (_, i) => ({ event: "page_view", distinctId: `w-${i}` }));
    expect((await postJson(`${server.url}/api/v1/batch`, { events }, asWriter)).status).toBe(200);
    await waitUntil("stored", async () => worker.worker.consumer.stored() === 20);
    const { value, matching } = await scrape(url);
    expect(value("insightplus_worker_stored_events_total")).toBe(20);
    expect(value("insightplus_worker_batch_events")).toBeGreaterThanOrEqual(1);
    expect(matching("insightplus_queue_length")).toHaveLength(16);
  });
});
