import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "../../core/events/event-model.js";
import { encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { eventField } from "../../queue/redis/redis-stream-publisher.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { countEvents, storedUuids } from "../support/event-counts.js";
import { postJson } from "../support/http-client.js";
import { type InProcessWorker, startInProcessWorker } from "../support/in-process-worker.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asWriter } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

const oldEvent = (i: number): StoredEvent => ({
  projectId: "default",
  uuid: randomUUID(),
  event: "page_view",
  distinctId: `old-${i % 50}`,
  propertiesJson: "{}",
  timestampMs: Date.now(),
  receivedAtMs: Date.now(),
  timestampClamped: false,
});

describe("upgrading from the single-stream layout to partitions, under load", () => {
  let db: TestDatabase;
  let server: InProcessServer;
  const workers: InProcessWorker[] = [];
  const stream = `test:upgrade:${randomUUID()}`;

  beforeAll(async () => {
    db = await createTestDatabase("postgres");
    server = await startInProcessServer({ streamKey: stream, env: db.env });
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await server?.streams.close();
    await server?.close();
    await db?.drop();
  });

  it("stores once every event the old layout held (unread, or pending on a dead worker) or still receives, and every new one", async () => {
    const { redis } = server;
    const group = "insightplus-workers";
    // What the old version left: a backlog in the one stream, part of it read by a worker that then died.
    await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM");
    const old = Array.from({ length: 600 }, (_, i) => oldEvent(i));
    for (const e of old) await redis.xadd(stream, "*", eventField, encodeQueuedEvent(e));
    await redis.xreadgroup("GROUP", group, "old-worker", "COUNT", 150, "STREAMS", stream, ">");

    for (let i = 0; i < 2; i++) workers.push(await startInProcessWorker(stream, db.env, { WORKER_CLAIM_IDLE_MS: "1000", WORKER_LINGER_MS: "20" }));

    // During the rollout: an old server still appends to the one stream while a new one captures into partitions.
    const stillOld: StoredEvent[] = [];
    const newIds: string[] = [];
    const rollout = Date.now() + 2000;
    await Promise.all([
      (async () => {
        for (let i = 0; Date.now() < rollout; i++) {
          const e = oldEvent(i);
          await redis.xadd(stream, "*", eventField, encodeQueuedEvent(e));
          stillOld.push(e);
        }
      })(),
      (async () => {
        for (let b = 0; Date.now() < rollout; b++) {
          const events = Array.from({ length: 50 }, (_, i) => ({ event: "page_view", distinctId: `new-${(b * 50 + i) % 97}` }));
          const res = await postJson(`${server.url}/api/v1/batch`, { events }, asWriter);
          expect(res.status).toBe(200);
          newIds.push(...res.json.eventIds);
        }
      })(),
    ]);

    const expected = new Set([...old, ...stillOld].map((e) => e.uuid).concat(newIds));
    const { database } = workers[0];
    await waitUntil("every event stored", async () => (await countEvents(database)).uuids >= expected.size, { timeoutMs: 60_000 });
    expect(await countEvents(database)).toEqual({ uuids: expected.size, rows: expected.size });
    expect(await storedUuids(database)).toEqual(expected);
    // Nothing left pending anywhere; the old stream drained and trimmed as every partition is.
    await waitUntil("all acknowledged and trimmed", async () => (await server.streams.pending(group)) === 0 && (await server.streams.length()) <= 17);
    expect(await redis.xlen(stream)).toBeLessThanOrEqual(1);
    expect(stillOld.length).toBeGreaterThan(0);
  }, 90_000);

  it("leaves alone a key of another type under the same name (the original project's queue), and reads the partitions", async () => {
    const other = await startInProcessServer({ env: db.env });
    try {
      await other.redis.rpush(other.streamKey, "the original's entry");
      const worker = await startInProcessWorker(other.streamKey, db.env, { WORKER_LINGER_MS: "20" });
      workers.push(worker);
      const res = await postJson(`${other.url}/api/v1/batch`, { events: [{ event: "page_view", distinctId: "after-list" }] }, asWriter);
      expect(res.status).toBe(200);
      await waitUntil("stored", async () => (await storedUuids(worker.database)).has(res.json.eventIds[0]), { timeoutMs: 15_000 });
      expect(await other.redis.lrange(other.streamKey, 0, -1)).toEqual(["the original's entry"]);
    } finally {
      await other.redis.del(other.streamKey);
      await other.close();
    }
  });

  it("a worker configured with fewer partitions than the servers reads every partition they write to", async () => {
    const wide = await startInProcessServer({ env: { ...db.env, QUEUE_PARTITIONS: "8" } });
    try {
      const worker = await startInProcessWorker(wide.streamKey, db.env, { QUEUE_PARTITIONS: "2", WORKER_LINGER_MS: "20" });
      workers.push(worker);
      const events = Array.from({ length: 200 }, (_, i) => ({ event: "page_view", distinctId: `wide-${i % 100}` }));
      const res = await postJson(`${wide.url}/api/v1/batch`, { events }, asWriter);
      expect(res.status).toBe(200);
      const stored = async () => {
        const all = await storedUuids(worker.database);
        return res.json.eventIds.filter((id: string) => all.has(id)).length;
      };
      await waitUntil("all 200 stored", async () => (await stored()) === 200, { timeoutMs: 20_000 });
      await waitUntil("all acknowledged", async () => (await wide.streams.pending(worker.config.worker.group)) === 0);
    } finally {
      await wide.close();
    }
  });
});
