import { spawn } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DropInfo, type InsightPlusClient, type InsightPlusError, init, type NodeOptions, type QueuedEvent } from "../../sdk/src/node/index.js";
import { freePort } from "../support/ports.js";
import { startFlakyProxy } from "../support/sdk-proxy.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { createStreamReader, deliveryReport, type StreamReader } from "../support/stream-reader.js";
import { testKeys } from "../support/test-keys.js";

const clients: InsightPlusClient[] = [];
function client(opts: NodeOptions) {
  const c = init({ apiKey: testKeys.write, onError: () => undefined, ...opts });
  clients.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown({ timeoutMs: 200 })));
});

function drops() {
  const list: { events: QueuedEvent[]; info: DropInfo }[] = [];
  return { list, onDrop: (events: QueuedEvent[], info: DropInfo) => void list.push({ events, info }) };
}

describe.each(["grpc", "json", "connect", "grpc-stream"] as const)("Node client over %s", (transport) => {
  let reader: StreamReader;
  let server: InProcessServer;
  beforeAll(async () => {
    reader = await createStreamReader();
    server = await startInProcessServer({ streamKey: reader.streamKey });
  });
  afterAll(async () => {
    await server.close();
    await reader.close();
  });

  it("delivers every event exactly once by uuid, with register() super-properties and identify()", async () => {
    const c = client({ host: server.url, transport, flushAt: 20, flushIntervalMs: 50 });
    c.register({ app: "sdk-test", plan: "free" });
    const uuids: string[] = [];
    for (let i = 0; i < 45; i++) uuids.push(c.capture("page_view", { i, plan: i === 0 ? "pro" : undefined! })!);
    c.identify("user-42");
    uuids.push(c.capture("payment_success", { amount: 499 })!);
    await c.flush();
    const events = await reader.waitFor((list) => list.length >= uuids.length);
    const report = deliveryReport(uuids, await reader.counts());
    expect(report).toEqual({ duplicated: [], missing: [], delivered: uuids.length });
    const last = events.find((e) => e.uuid === uuids[45])!;
    expect(last.distinctId).toBe("user-42");
    expect(JSON.parse(last.propertiesJson)).toEqual({ app: "sdk-test", plan: "free", amount: 499 });
    expect(uuids.every((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u))).toBe(true);
    await reader.close();
    reader = await createStreamReader(reader.streamKey);
  });

  it("reports events the server rejects (partial success) and does not retry them", async () => {
    const { list, onDrop } = drops();
    const c = client({ host: server.url, transport, onDrop, flushIntervalMs: 60_000 });
    const good = c.capture("most_used_feature", { feature: "dashboard" }, { distinctId: `ps-${transport}` })!;
    const bad = c.capture("most_used_feature", { duration: 3 }, { distinctId: `ps-${transport}` })!;
    const result = await c.flush();
    expect(result.pending).toBe(0);
    expect(list).toEqual([
      { events: [expect.objectContaining({ uuid: bad })], info: expect.objectContaining({ reason: "rejected", field: "properties.feature" }) },
    ]);
    const counts = await reader.counts();
    expect([counts.get(good), counts.get(bad)]).toEqual([1, undefined]);
  });
});

describe("Node client against a server that goes away", () => {
  it("delivers every event exactly once by uuid after the server is stopped for a while and restarted on the same port and stream", async () => {
    const reader = await createStreamReader();
    let server = await startInProcessServer({ streamKey: reader.streamKey });
    const port = server.port;
    const errors: Error[] = [];
    const c = client({
      host: server.url,
      flushAt: 10,
      flushIntervalMs: 100,
      retry: { baseMs: 100, maxMs: 400 },
      onError: (e) => void errors.push(e),
    });
    const uuids: string[] = [];
    const captureSome = (n: number) => {
      for (let i = 0; i < n; i++) uuids.push(c.capture("page_view", { i: uuids.length }, { distinctId: "restart" })!);
    };
    captureSome(100);
    await c.flush();
    const stopping = server.close();
    captureSome(50); // some of these race with the closing server
    await stopping;
    for (let i = 0; i < 10; i++) {
      captureSome(30);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(errors.length).toBeGreaterThan(0); // the outage was seen and retried
    server = await startInProcessServer({ port, streamKey: reader.streamKey });
    try {
      captureSome(20);
      await reader.waitFor((list) => list.length >= uuids.length, 20_000);
      await new Promise((r) => setTimeout(r, 500)); // anything sent twice would show up by now
      expect(deliveryReport(uuids, await reader.counts())).toEqual({ duplicated: [], missing: [], delivered: uuids.length });
    } finally {
      await server.close();
      await reader.close();
    }
  });

  it("respects the queue cap in count and in bytes and reports every refused event through onDrop", async () => {
    const host = `http://127.0.0.1:${await freePort()}`;
    const byCount = drops();
    const c = client({ host, maxQueueSize: 50, onDrop: byCount.onDrop, flushIntervalMs: 60_000, retry: { baseMs: 10_000 } });
    const results = Array.from({ length: 80 }, (_, i) => c.capture("page_view", { i }));
    expect(results.slice(0, 50).every(Boolean)).toBe(true);
    expect(results.slice(50).every((r) => r === undefined)).toBe(true);
    expect(byCount.list).toHaveLength(30);
    expect(byCount.list.every((d) => d.info.reason === "queue_full")).toBe(true);
    expect(byCount.list.map((d) => d.events[0].properties!.i)).toEqual(Array.from({ length: 30 }, (_, i) => 50 + i));

    const byBytes = drops();
    const big = "x".repeat(1000);
    const b = client({ host, maxQueueBytes: 10_000, onDrop: byBytes.onDrop, flushIntervalMs: 60_000 });
    const accepted = Array.from({ length: 20 }, () => b.capture("page_view", { big })).filter(Boolean).length;
    expect(accepted).toBeGreaterThanOrEqual(8);
    expect(accepted).toBeLessThan(10);
    expect(byBytes.list.flatMap((d) => d.events)).toHaveLength(20 - accepted);
    expect(byBytes.list.every((d) => d.info.reason === "queue_full")).toBe(true);
  });

  it("shutdown() returns within its timeout while the server is down, reports what it could not send, and is safe to call twice", async () => {
    const host = `http://127.0.0.1:${await freePort()}`;
    const { list, onDrop } = drops();
    const c = init({ host, apiKey: testKeys.write, onDrop, onError: () => undefined, flushIntervalMs: 60_000, retry: { baseMs: 50, maxMs: 100 } });
    const uuids = Array.from({ length: 25 }, () => c.capture("page_view")!);
    const timeoutMs = 700;
    const started = performance.now();
    const [first, second] = await Promise.all([c.shutdown({ timeoutMs }), c.shutdown({ timeoutMs: 60_000 })]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(timeoutMs + 250);
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 20); // it kept trying until the deadline
    expect(first).toEqual({ pending: 25, timedOut: true });
    expect(second).toBe(first);
    expect(list.flatMap((d) => d.events.map((e) => e.uuid))).toEqual(uuids);
    expect(list.every((d) => d.info.reason === "shutdown")).toBe(true);
    const third = performance.now();
    await c.shutdown({ timeoutMs });
    expect(performance.now() - third).toBeLessThan(50);
    expect(c.capture("page_view")).toBeUndefined(); // after shutdown: refused and reported
    expect(list.at(-1)!.info.reason).toBe("shutdown");
  });

  it("shutdown() flushes at once whatever the flush interval", async () => {
    const reader = await createStreamReader();
    const server = await startInProcessServer({ streamKey: reader.streamKey });
    try {
      const c = init({ host: server.url, apiKey: testKeys.write, flushIntervalMs: 3_600_000, flushAt: 1000 });
      const uuids = Array.from({ length: 30 }, () => c.capture("page_view")!);
      const started = performance.now();
      const result = await c.shutdown({ timeoutMs: 5000 });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(result).toEqual({ pending: 0, timedOut: false });
      expect(deliveryReport(uuids, await reader.counts())).toEqual({ duplicated: [], missing: [], delivered: 30 });
    } finally {
      await server.close();
      await reader.close();
    }
  });

  it("waits as asked by 503 + Retry-After, then delivers once; does not retry a non-retryable 4xx", async () => {
    const reader = await createStreamReader();
    const server = await startInProcessServer({ streamKey: reader.streamKey });
    const proxy = await startFlakyProxy(server.url);
    try {
      const errors: InsightPlusError[] = [];
      proxy.failNext(2, 1);
      const c = client({ host: proxy.url, flushIntervalMs: 60_000, onError: (e) => void errors.push(e) });
      const started = performance.now();
      const uuids = Array.from({ length: 5 }, () => c.capture("page_view")!);
      await c.flush();
      await reader.waitFor((list) => list.length >= 5);
      expect(performance.now() - started).toBeGreaterThan(2000);
      expect(deliveryReport(uuids, await reader.counts())).toEqual({ duplicated: [], missing: [], delivered: 5 });
      expect(errors.map((e) => [e.kind, e.status, e.retryInMs! >= 1000])).toEqual([
        ["send_failed", 503, true],
        ["send_failed", 503, true],
      ]);

      // A 404 (wrong path prefix) is the same for every retry: reported once, the events dropped.
      const { list, onDrop } = drops();
      const before = proxy.stats.all;
      const wrong = client({ host: `${proxy.url}/not-the-api`, onDrop, flushIntervalMs: 60_000, retry: { baseMs: 10 } });
      const lost = [wrong.capture("page_view")!, wrong.capture("page_view")!];
      expect(await wrong.flush()).toEqual({ pending: 0 });
      await new Promise((r) => setTimeout(r, 300));
      expect(proxy.stats.all - before).toBe(1);
      expect(list).toEqual([
        { events: lost.map((uuid) => expect.objectContaining({ uuid })), info: expect.objectContaining({ reason: "non_retryable", status: 404 }) },
      ]);
    } finally {
      await proxy.close();
      await server.close();
      await reader.close();
    }
  });

  it("halves the batch on 413 until it fits, and drops (and reports) a single event over the request limit", async () => {
    const reader = await createStreamReader();
    const server = await startInProcessServer({ streamKey: reader.streamKey, env: { MAX_REQUEST_BYTES: "4096" } });
    try {
      const { list, onDrop } = drops();
      const c = client({ host: server.url, transport: "json", onDrop, flushIntervalMs: 60_000, flushAt: 1000 });
      const pad = "p".repeat(500);
      const uuids = Array.from({ length: 30 }, (_, i) => c.capture("page_view", { i, pad })!);
      const tooBig = c.capture("page_view", { pad: "q".repeat(6000) })!;
      await c.flush();
      expect(deliveryReport(uuids, await reader.counts())).toEqual({ duplicated: [], missing: [], delivered: 30 });
      expect(list).toEqual([{ events: [expect.objectContaining({ uuid: tooBig })], info: expect.objectContaining({ reason: "too_large" }) }]);
    } finally {
      await server.close();
      await reader.close();
    }
  });
});

describe("a script using the Node client", () => {
  function runScript(env: Record<string, string>) {
    return new Promise<{ code: number | null; ms: number; lines: any[]; stderr: string }>((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, ["--import", "tsx", "test/support/sdk-exit-script.ts"], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let stderr = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (stderr += d));
      const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      child.on("error", reject);
      child.on("exit", (code) => {
        clearTimeout(killer);
        const lines = out
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        resolve({ code, ms: performance.now() - started, lines, stderr });
      });
    });
  }

  it("exits by itself without shutdown(), after delivering its events on beforeExit", async () => {
    const reader = await createStreamReader();
    const server = await startInProcessServer({ streamKey: reader.streamKey });
    try {
      for (const transport of ["grpc", "json"]) {
        const { code, lines, stderr } = await runScript({ INSIGHTPLUS_HOST: server.url, SDK_TRANSPORT: transport, EVENTS: "7" });
        expect(stderr).toBe("");
        expect(code).toBe(0);
        const captured: string[] = lines[0].captured;
        const counts = await reader.counts();
        expect(deliveryReport(captured, counts)).toMatchObject({ duplicated: [], missing: [] });
      }
    } finally {
      await server.close();
      await reader.close();
    }
  });

  it("exits by itself when the server is down, within its exit timeout, reporting the undelivered events", async () => {
    const host = `http://127.0.0.1:${await freePort()}`;
    const { code, ms, lines } = await runScript({ INSIGHTPLUS_HOST: host, EXIT_TIMEOUT_MS: "800", EVENTS: "3" });
    expect(code).toBe(0);
    expect(ms).toBeLessThan(800 + 5000); // tsx start-up included
    expect(lines[1]).toEqual({ dropped: lines[0].captured, reason: "shutdown" });
  });
});
