import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../core/config/config.js";
import { openRedisConsumer } from "../../queue/redis/redis-consumer-open.js";
import { createRedisStreamPublisher } from "../../queue/redis/redis-stream-publisher.js";
import type { EventSink } from "../../storage/event-sink.js";
import { openDatabase } from "../../storage/open-database.js";
import { startWorker } from "../../worker/worker-runtime.js";
import { availableDatabases, createTestDatabase, type TestDatabase } from "../support/databases.js";
import { countEvents, storedUuids } from "../support/event-counts.js";
import { createStreamReader } from "../support/stream-reader.js";
import { waitUntil } from "../support/wait.js";

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
    const streams = await createStreamReader(stream);
    const publisher = createRedisStreamPublisher({ redis, layout: streams.layout, backlogWatermark: 1e9, retryAfterSeconds: 1 });
    await publisher.publish(
      ids.map((uuid, i) => ({
        projectId: "default",
        uuid,
        event: "page_view",
        distinctId: `u${i}`,
        propertiesJson: "{}",
        timestampMs: now,
        receivedAtMs: now,
        timestampClamped: false,
      })),
    );

    const config = loadConfig({
      REDIS_URL: inject("redisUrl"),
      REDIS_QUEUE: stream,
      WORKER_BATCH_SIZE: "100",
      WORKER_LINGER_MS: "20",
      WORKER_CONCURRENT_WRITES: setting,
      ...db.env,
    });
    const database = await openDatabase(config.database, logger, { retryAfterSeconds: 1 });
    const { slow, seen } = observed(database.sink);
    const worker = startWorker({ options: config.worker, logger, queue: await openRedisConsumer(config, logger), sink: slow });
    try {
      await waitUntil("every event acknowledged", async () => worker.consumer.stored() === total, { timeoutMs: 30_000 });
      expect(seen.most).toBe(expected);
      expect(seen.inserts).toBeGreaterThanOrEqual(total / 100);
      expect(await storedUuids(database)).toEqual(new Set(ids));
      expect(await countEvents(database)).toMatchObject({ rows: total, uuids: total });
      expect(await streams.pending(config.worker.group)).toBe(0); // nothing left pending
    } finally {
      await worker.stop();
      await database.close();
      await streams.close();
    }
  });
});
