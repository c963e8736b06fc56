import { randomUUID } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLiveTail } from "../../analytics/live-tail.js";
import type { StoredEvent } from "../../core/events/event-model.js";
import { AnalyticsService, type TailEventsResponse } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { feedPublishedEvents } from "../../queue/published-feed.js";
import { createProject, listedKeys } from "../support/admin-requests.js";
import { postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asAdmin, sendingKey, testKeys, withKey } from "../support/test-keys.js";

/** Reads a tail until `until` holds for what arrived, or fails after `ms`. */
async function readUntil(stream: AsyncIterable<TailEventsResponse>, until: (seen: TailEventsResponse[]) => boolean, ms = 10_000) {
  const seen: TailEventsResponse[] = [];
  const iterator = stream[Symbol.asyncIterator]();
  const deadline = Date.now() + ms;
  while (!until(seen)) {
    const next = await Promise.race([iterator.next(), new Promise<"late">((r) => setTimeout(() => r("late"), Math.max(0, deadline - Date.now())))]);
    if (next === "late") throw new Error(`not seen within ${ms} ms: ${JSON.stringify(seen.map((s) => s.events.map((e) => e.event)))}`);
    if (next.done) break;
    seen.push(next.value);
  }
  return { seen, iterator };
}

const names = (seen: TailEventsResponse[]) => seen.flatMap((m) => m.events.map((e) => e.event));

describe.each<{ mode: string; env: Record<string, string> }>([
  { mode: "Redis stream", env: {} },
  { mode: "embedded (in-process queue, PGlite)", env: { REDIS_URL: "", DATABASE_TYPE: "pglite" } },
])("the live tail over $mode", ({ env }) => {
  let server: InProcessServer;
  let other: { write: string; read: string };
  const client = (key: string, transport: "connect" | "grpc") =>
    createClient(
      AnalyticsService,
      transport === "grpc"
        ? createGrpcTransport({ baseUrl: server.url, interceptors: [sendingKey(key)] })
        : createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [sendingKey(key)] }),
    );
  const capture = (event: string, key: string = testKeys.write, properties: Record<string, unknown> = {}) =>
    postJson(`${server.url}/api/v1/capture`, { event, distinctId: "tail-user", properties }, withKey(key));

  beforeAll(async () => {
    server = await startInProcessServer({ env: { INPROCESS_WORKER: "true", ALLOWED_EVENTS: "*", ...env } });
    const second = await createProject(server.url, { id: `tail-${randomUUID().slice(0, 8)}`, name: "Other" });
    other = { write: second.writeKey, read: second.readKey };
  }, 60_000);
  afterAll(() => server?.close());

  it.each(["connect", "grpc"] as const)(
    "over %s: an empty first message, then this project's events as they are captured, not another's",
    async (transport) => {
      const abort = new AbortController();
      const stream = client(testKeys.read, transport).tailEvents({}, { signal: abort.signal });
      const first = await readUntil(stream, (seen) => seen.length >= 1);
      expect(first.seen[0].events).toEqual([]);
      const marker = `tail_${transport}_${randomUUID().slice(0, 8)}`;
      expect((await capture(`${marker}_other`, other.write)).status).toBe(200);
      expect((await capture(marker, testKeys.write, { plan: "pro" })).status).toBe(200);
      const rest: TailEventsResponse[] = [];
      for await (const m of { [Symbol.asyncIterator]: () => first.iterator }) {
        rest.push(m);
        if (names(rest).includes(marker)) break;
      }
      const seen = rest.flatMap((m) => m.events);
      const mine = seen.find((e) => e.event === marker)!;
      expect(mine.distinctId).toBe("tail-user");
      expect(mine.properties).toMatchObject({ plan: "pro" });
      expect(Number.isNaN(Date.parse(mine.timestamp))).toBe(false);
      expect(names(rest)).not.toContain(`${marker}_other`);
      abort.abort();
    },
  );

  it("follows only the event names asked for", async () => {
    const abort = new AbortController();
    const marker = `only_${randomUUID().slice(0, 8)}`;
    const stream = client(testKeys.read, "grpc").tailEvents({ events: [marker] }, { signal: abort.signal });
    const { iterator } = await readUntil(stream, (seen) => seen.length >= 1);
    await capture(`${marker}_not`);
    await capture(marker);
    const { seen } = await readUntil({ [Symbol.asyncIterator]: () => iterator }, (s) => names(s).includes(marker));
    expect(names(seen)).toEqual([marker]);
    abort.abort();
  });

  it("needs a read key: none, or a write key, is refused", async () => {
    for (const [key, code] of [
      ["", Code.Unauthenticated],
      [testKeys.write, Code.PermissionDenied],
    ] as const) {
      const stream = createClient(AnalyticsService, createGrpcTransport({ baseUrl: server.url, interceptors: key ? [sendingKey(key)] : [] })).tailEvents({});
      const err = await (async () => {
        for await (const _ of stream) return undefined;
      })().catch((e: unknown) => ConnectError.from(e));
      expect(err?.code).toBe(code);
    }
  });
});

describe("a tail's key and its limits", () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcessServer({ env: { INPROCESS_WORKER: "true", ALLOWED_EVENTS: "*" } });
  });
  afterAll(() => server?.close());
  const tailOf = (key: string) => createClient(AnalyticsService, createGrpcTransport({ baseUrl: server.url, interceptors: [sendingKey(key)] })).tailEvents({});

  it("a read key revoked while its tail is open ends the tail", async () => {
    const made = await createProject(server.url, { id: `revoked-${randomUUID().slice(0, 8)}`, name: "Revoked" });
    const { iterator } = await readUntil(tailOf(made.readKey), (seen) => seen.length >= 1);
    const id = (await listedKeys(server.url, made.id)).find((k: any) => k.kind === "read").id;
    expect((await postJson(`${server.url}/api/v1/admin/keys/${id}/revoke`, {}, asAdmin)).status).toBe(200);
    // The key is checked again before a message once 5 s have passed since the last check: send one after that.
    await new Promise((r) => setTimeout(r, 5200));
    await postJson(`${server.url}/api/v1/capture`, { event: "after_revocation", distinctId: "u" }, withKey(made.writeKey));
    const ended = await iterator.next().then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(ended?.code).toBe(Code.Unauthenticated);
  });

  it("one project holds at most 10 tails at once; another project still gets one", async () => {
    const made = await createProject(server.url, { id: `busy-${randomUUID().slice(0, 8)}`, name: "Busy" });
    const aborts = Array.from({ length: 10 }, () => new AbortController());
    const open = aborts.map((a) =>
      createClient(AnalyticsService, createGrpcTransport({ baseUrl: server.url, interceptors: [sendingKey(made.readKey)] })).tailEvents(
        {},
        { signal: a.signal },
      ),
    );
    for (const t of open) await readUntil(t, (seen) => seen.length >= 1);
    const refused = await (async () => {
      for await (const _ of tailOf(made.readKey)) return undefined;
    })().catch((e: unknown) => ConnectError.from(e));
    expect(refused?.code).toBe(Code.ResourceExhausted);
    const other = await readUntil(tailOf(testKeys.read), (seen) => seen.length >= 1);
    expect(other.seen[0].events).toEqual([]);
    await other.iterator.return?.();
    for (const a of aborts) a.abort();
  });
});

describe("shutting down with tails open", () => {
  it("ends every tail cleanly and does not wait for them", async () => {
    const server = await startInProcessServer({ env: { SHUTDOWN_TIMEOUT_MS: "20000" } });
    const tails = [0, 1, 2].map(() =>
      createClient(AnalyticsService, createGrpcTransport({ baseUrl: server.url, interceptors: [sendingKey(testKeys.read)] })).tailEvents({}),
    );
    const ended = tails.map(async (t) => {
      let messages = 0;
      for await (const _ of t) messages++;
      return messages;
    });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await server.close();
    const closedInMs = Date.now() - started;
    expect(await Promise.all(ended)).toEqual([1, 1, 1]); // the first, empty message each; then a clean end, no error
    expect(closedInMs).toBeLessThan(20_000); // not the shutdown timeout: the tails did not hold the server open
  });
});

describe("a slow reader", () => {
  it("holds at most maxBuffered events and is told how many it missed", async () => {
    const { publisher, feed } = feedPublishedEvents({ publish: async () => undefined, ready: async () => true, close: async () => undefined });
    const live = createLiveTail({ feed, options: { maxBuffered: 50, maxBatch: 20, heartbeatMs: 60_000 } });
    const abort = new AbortController();
    const tail = live.tail({ projectId: "p", events: [], signal: abort.signal });
    expect((await tail.next()).value).toEqual({ events: [], skipped: 0 });
    const event = (i: number): StoredEvent => ({
      projectId: i % 2 ? "p" : "q",
      uuid: randomUUID(),
      event: `e${i}`,
      distinctId: "u",
      propertiesJson: "{}",
      timestampMs: 0,
      receivedAtMs: 0,
      timestampClamped: false,
    });
    // 200 events of project p arrive while the reader reads nothing.
    for (let i = 0; i < 400; i++) await publisher.publish([event(i)]);
    const first = (await tail.next()).value!;
    expect(first.skipped).toBe(150);
    expect(first.events.length).toBe(20);
    expect(first.events[0].event).toBe("e301"); // the newest 50 of p are kept
    let left = 30;
    while (left > 0) left -= (await tail.next()).value!.events.length;
    expect(left).toBe(0);
    abort.abort();
    expect((await tail.next()).done).toBe(true);
  });

  it("holds at most maxBufferedBytes of properties, however few the events", async () => {
    const { publisher, feed } = feedPublishedEvents({ publish: async () => undefined, ready: async () => true, close: async () => undefined });
    const live = createLiveTail({ feed, options: { maxBuffered: 1000, maxBufferedBytes: 10_000, maxBatch: 1000, heartbeatMs: 60_000 } });
    const abort = new AbortController();
    const tail = live.tail({ projectId: "p", events: [], signal: abort.signal });
    await tail.next();
    const big = JSON.stringify({ blob: "x".repeat(3000) });
    for (let i = 0; i < 10; i++) {
      await publisher.publish([
        {
          projectId: "p",
          uuid: randomUUID(),
          event: `big${i}`,
          distinctId: "u",
          propertiesJson: big,
          timestampMs: 0,
          receivedAtMs: 0,
          timestampClamped: false,
        },
      ]);
    }
    const batch = (await tail.next()).value!;
    expect(batch.events.map((e: StoredEvent) => e.event)).toEqual(["big7", "big8", "big9"]); // 3 × ~3 KB fit in 10 KB
    expect(batch.skipped).toBe(7);
    abort.abort();
  });
});
