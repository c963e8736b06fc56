import { randomUUID } from "node:crypto";
import pino from "pino";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { loadConfig } from "../server/config.js";
import { createRedisStreamPublisher } from "../server/queue/redis-stream-publisher.js";
import type { EventSink } from "../worker/sink/event-sink.js";
import { openSink } from "../worker/sink/sink-factory.js";
import { openRedisConsumer, startWorker } from "../worker/worker-runtime.js";
import { availableDatabases, createTestDatabase, type TestDatabase } from "./support/databases.js";
import { countEvents, storedUuids } from "./support/event-counts.js";
import { waitFor } from "./support/worker-harness.js";

const total = 1000;
const logger = pino({ level: "silent" });

// The real database, slowed down: each insert waits 150 ms first, so whether
// the worker starts the next batch before the last one is stored shows.
function observed(sink: EventSink) {
  const seen = { active: 0, most: 0, inserts: 0 };
  const slow: EventSink = {
    ...sink,
    async insert(rows) {
      seen.inserts++;
      seen.most = Math.max(seen.most, ++seen.active);
      try {
        await new Promise((r) => setTimeout(r, 150));
        await sink.insert(rows);
      } finally {
        seen.active--;
      }
    },
  };
  return { slow, seen };
}

const kind = availableDatabases().find((k) => k === "postgres") ?? "pglite";

describe(`WORKER_CONCURRENT_WRITES (into ${kind})`, () => {
  let redis: Redis;
  const dbs: TestDatabase[] = [];

  beforeAll(() => {
    redis = new Redis(inject("redisUrl"));
  });
  afterAll(async () => {
    await redis?.quit();
    for (const db of dbs) await db.drop();
  });

  it.each([
    ["2", 2],
    ["1", 1],
  ])("=%s: that many batches are written at once, each event stored once", async (setting, expected) => {
    const db = await createTestDatabase(kind);
    dbs.push(db);
    const stream = `test:${randomUUID()}`;
    const ids = Array.from({ length: total }, () => randomUUID());
    const now = Date.now();
    const publisher = createRedisStreamPublisher({ redis, streamKey: stream, backlogWatermark: 1e9, retryAfterSeconds: 1 });
    await publisher.publish(ids.map((uuid, i) => ({ uuid, event: "page_view", distinctId: `u${i}`, propertiesJson: "{}", timestampMs: now, receivedAtMs: now, timestampClamped: false })));

    const config = loadConfig({ REDIS_URL: inject("redisUrl"), REDIS_QUEUE: stream, WORKER_BATCH_SIZE: "100", WORKER_LINGER_MS: "20", WORKER_CONCURRENT_WRITES: setting, ...db.env });
    const sink = await openSink(config.database, logger);
    const consumer = await openRedisConsumer(config, logger);
    const { slow, seen } = observed(sink);
    const worker = startWorker({ config, logger, queue: consumer.queue, sink: slow });
    try {
      await waitFor("every event acknowledged", async () => worker.consumer.stored() === total, 30_000);
      expect(seen.most).toBe(expected);
      expect(seen.inserts).toBeGreaterThanOrEqual(total / 100);
      expect(await storedUuids(sink)).toEqual(new Set(ids));
      expect(await countEvents(sink)).toMatchObject({ rows: total, uuids: total });
      expect(((await redis.xpending(stream, config.worker.group)) as unknown[])[0]).toBe(0); // nothing left pending
    } finally {
      await worker.stop();
      await consumer.close();
      await sink.close();
      await redis.unlink(stream, config.worker.deadLetterKey);
    }
  });
});
