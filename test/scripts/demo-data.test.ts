import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config/config.js";
import { DemoAbort, loadViaCapture } from "../../scripts/demo/capture-loader.js";
import { loadDirect } from "../../scripts/demo/direct-loader.js";
import { type DemoEvent, demoEvents } from "../../scripts/demo/generator.js";
import { openDatabase } from "../../storage/open-database.js";
import { startInProcessServer } from "../support/server/in-process-server.js";
import { testKeys } from "../support/test-keys.js";

const dayMs = 86_400_000;
const now = Date.UTC(2025, 5, 15, 12, 0, 0);
const all = (opts: Parameters<typeof demoEvents>[0]): DemoEvent[] => [...demoEvents(opts)].flat();

describe("demo data generator", () => {
  const events = all({ events: 5_000, days: 30, seed: 7, now });

  it("is deterministic for a seed (uuids included) and differs across seeds", () => {
    expect(all({ events: 5_000, days: 30, seed: 7, now, chunkSize: 123 })).toEqual(events);
    const other = all({ events: 5_000, days: 30, seed: 8, now });
    expect(other.map((e) => e.uuid)).not.toEqual(events.map((e) => e.uuid));
  });

  it("gives a seed the same event ids whatever the time of the run, so a rerun counts once", () => {
    const later = all({ events: 5_000, days: 30, seed: 7, now: now + 5 * 3_600_000 });
    expect(later.map((e) => e.uuid)).toEqual(events.map((e) => e.uuid));
    expect(later.every((e) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(e.uuid))).toBe(true);
  });

  it("ends at the start of the current hour by default, so runs within the hour are identical", () => {
    const hourStart = (ms: number) => ms - (ms % 3_600_000);
    const before = hourStart(Date.now());
    const byDefault = all({ events: 500, days: 3, seed: 9 });
    if (hourStart(Date.now()) !== before) return; // the hour turned during the run: nothing to compare
    expect(byDefault).toEqual(all({ events: 500, days: 3, seed: 9, now: before }));
  });

  it("yields exactly the requested number of events, in time order, all within [now - days, now], unique uuids", () => {
    expect(events).toHaveLength(5_000);
    for (let i = 1; i < events.length; i++) expect(events[i].timestampMs).toBeGreaterThanOrEqual(events[i - 1].timestampMs);
    expect(events[0].timestampMs).toBeGreaterThanOrEqual(now - 30 * dayMs);
    expect(events.at(-1)!.timestampMs).toBeLessThanOrEqual(now);
    expect(new Set(events.map((e) => e.uuid)).size).toBe(events.length);
    const chunks = [...demoEvents({ events: 5_000, days: 30, seed: 7, now, chunkSize: 500 })];
    expect(chunks.map((c) => c.length)).toEqual(Array(10).fill(500));
  });

  it("has a registration → payment funnel with drop-off; every user registers on their first event's visit", () => {
    const registered = new Map<string, number>();
    const payers = new Map<string, number>();
    const firstSeen = new Map<string, DemoEvent>();
    for (const e of events) {
      if (!firstSeen.has(e.distinctId)) firstSeen.set(e.distinctId, e);
      if (e.event === "user_registered") registered.set(e.distinctId, e.timestampMs);
      if (e.event === "payment_success") {
        payers.set(e.distinctId, e.timestampMs);
        expect(typeof e.properties.amount).toBe("number");
        expect(["INR", "USD", "EUR"]).toContain(e.properties.currency);
      }
    }
    expect(registered.size).toBe(firstSeen.size);
    for (const [user, first] of firstSeen) {
      const visit = events.filter((e) => e.distinctId === user && e.properties.sessionId === first.properties.sessionId);
      expect(visit.map((e) => e.event)).toContain("user_registered");
    }
    expect(payers.size).toBeGreaterThan(0);
    expect(payers.size).toBeLessThan(registered.size);
    expect(payers.size / registered.size).toBeGreaterThan(0.15);
    expect(payers.size / registered.size).toBeLessThan(0.45);
    for (const [user, paidAt] of payers) expect(paidAt).toBeGreaterThan(registered.get(user)!);
  });

  it("skews feature use (top feature > 2x the median one) and has power users and growth", () => {
    const counts = new Map<string, number>();
    for (const e of events.filter((e) => e.event === "most_used_feature"))
      counts.set(String(e.properties.feature), (counts.get(String(e.properties.feature)) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(sorted).toHaveLength(8);
    expect(sorted[0]).toBeGreaterThan(2 * ((sorted[3] + sorted[4]) / 2));

    const visits = new Map<string, Set<unknown>>();
    for (const e of events) (visits.get(e.distinctId) ?? visits.set(e.distinctId, new Set()).get(e.distinctId)!).add(e.properties.sessionId);
    const perUser = [...visits.values()].map((s) => s.size).sort((a, b) => b - a);
    expect(perUser[0]).toBeGreaterThan(5 * perUser[Math.floor(perUser.length / 2)]);

    const firstWeek = events.filter((e) => e.timestampMs < now - 23 * dayMs).length;
    const lastWeek = events.filter((e) => e.timestampMs >= now - 7 * dayMs).length;
    expect(lastWeek).toBeGreaterThan(firstWeek);
  });
});

describe("demo data loaders", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("sends 2,000 events through the capture path, all accepted and queued", async () => {
    const server = await startInProcessServer();
    try {
      const at = Date.now(); // real time: the server refuses events too far in the past or future
      const sent = all({ events: 2_000, days: 90, seed: 42, now: at });
      let progress = 0;
      const result = await loadViaCapture(demoEvents({ events: 2_000, days: 90, seed: 42, now: at, chunkSize: 500 }), {
        url: server.url,
        key: testKeys.write,
        concurrency: 3,
        onProgress: (n) => (progress += n),
      });
      expect(result.sent).toBe(2_000);
      expect(progress).toBe(2_000);
      const queued = await server.streamEvents();
      expect(queued).toHaveLength(2_000);
      expect(new Set(queued.map((e) => e.uuid))).toEqual(new Set(sent.map((e) => e.uuid)));
      expect(queued.some((e) => e.timestampClamped)).toBe(false);
    } finally {
      await server.close();
    }
  });

  it("stops with a message naming ALLOWED_EVENTS when the server refuses an event name", async () => {
    const server = await startInProcessServer({ env: { ALLOWED_EVENTS: "page_view,user_registered" } });
    try {
      const run = loadViaCapture(demoEvents({ events: 2_000, days: 30, seed: 1 }), { url: server.url, key: testKeys.write });
      await expect(run).rejects.toBeInstanceOf(DemoAbort);
      await expect(run).rejects.toThrow(/not an allowed event name[\s\S]*ALLOWED_EVENTS/);
    } finally {
      await server.close();
    }
  });

  it("stops with a message saying how to pass the write key when the server asks for one", async () => {
    const server = await startInProcessServer();
    try {
      const run = loadViaCapture(demoEvents({ events: 500, days: 30, seed: 1 }), { url: server.url });
      await expect(run).rejects.toBeInstanceOf(DemoAbort);
      await expect(run).rejects.toThrow(/HTTP 401[\s\S]*--key ipw_/);
      expect(await server.streamEvents()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("waits as Retry-After says on 503 and then sends the batch", async () => {
    let calls = 0;
    const stub: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (++calls === 1) return res.writeHead(503, { "retry-after": "1", "content-type": "application/json" }).end('{"message":"overloaded"}');
        const n = (JSON.parse(body) as { events: unknown[] }).events.length;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ accepted: n, rejected: [], eventIds: [] }));
      });
    });
    await new Promise<void>((r) => stub.listen(0, "127.0.0.1", r));
    try {
      const started = Date.now();
      const result = await loadViaCapture(demoEvents({ events: 300, days: 7, seed: 3 }), {
        url: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
        concurrency: 1,
      });
      expect(result).toEqual({ sent: 300, retries: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    } finally {
      stub.close();
    }
  });

  it("writes straight into an embedded PGlite database, and refuses a data directory that is open", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "insightplus-demo-"));
    dirs.push(dataDir);
    const env = { DATABASE_TYPE: "pglite", DATA_DIR: dataDir };
    const result = await loadDirect(demoEvents({ events: 3_000, days: 30, seed: 5, chunkSize: 1_000 }), { env });
    expect(result.sent).toBe(3_000);
    // The same seed again, an hour on: the same event ids, stored once.
    await loadDirect(demoEvents({ events: 3_000, days: 30, seed: 5, chunkSize: 1_000, now: Date.now() + 3_600_000 }), { env });

    const database = await openDatabase(loadConfig(env).database, pino({ level: "silent" }), { retryAfterSeconds: 1 });
    try {
      if (database.connection.kind !== "postgres") throw new Error("expected PGlite");
      const rows = await database.connection.sql.query<{ n: number; users: number }>(
        "select count(*)::int as n, count(distinct distinct_id)::int as users from events",
      );
      expect(rows[0].n).toBe(3_000);
      expect(rows[0].users).toBeGreaterThan(10);
      // The database holds the directory now, as a running server would.
      await expect(loadDirect(demoEvents({ events: 10, days: 1, seed: 5 }), { env })).rejects.toThrow(/in use[\s\S]*only one process/);
    } finally {
      await database.close();
    }
  }, 120_000);
});
