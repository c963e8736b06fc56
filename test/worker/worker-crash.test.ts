import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../core/config/config.js";
import { createRedisStreamPublisher } from "../../queue/redis/redis-stream-publisher.js";
import type { Database } from "../../storage/database.js";
import { openDatabase } from "../../storage/open-database.js";
import { availableDatabases, createTestDatabase, type TestDatabase } from "../support/databases.js";
import { countEvents, storedUuids } from "../support/event-counts.js";
import { spawnEntry } from "../support/server/entry-process.js";
import { createStreamReader, type StreamReader } from "../support/stream-reader.js";
import { waitUntil } from "../support/wait.js";

const total = 6000;

// Server databases only: PGlite and chdb are embedded in one process.
describe.each(availableDatabases().filter((k) => k === "clickhouse" || k === "postgres"))("workers as processes into %s", (kind) => {
  let db: TestDatabase;
  let database: Database;
  let redis: Redis;
  let stream: string;
  let streams: StreamReader;
  let env: Record<string, string>;
  let ids: string[];

  /** A new stream for the workers (env names it); fill() queues the events. */
  function newStream() {
    stream = `test:${randomUUID()}`;
    env = { REDIS_URL: inject("redisUrl"), REDIS_QUEUE: stream, WORKER_BATCH_SIZE: "200", WORKER_LINGER_MS: "20", WORKER_CLAIM_IDLE_MS: "1500", ...db.env };
  }

  async function fill() {
    streams = await createStreamReader(stream);
    const publisher = createRedisStreamPublisher({ redis, layout: streams.layout, backlogWatermark: 1e9, retryAfterSeconds: 1 });
    ids = Array.from({ length: total }, () => randomUUID());
    const now = Date.now();
    await publisher.publish(
      ids.map((uuid, i) => ({
        projectId: "default",
        uuid,
        event: "page_view",
        distinctId: `u${i % 101}`,
        propertiesJson: `{"i":${i}}`,
        timestampMs: now,
        receivedAtMs: now,
        timestampClamped: false,
      })),
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    redis = new Redis(inject("redisUrl"));
    database = await openDatabase(loadConfig(db.env).database, pino({ level: "silent" }), { retryAfterSeconds: 1 });
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    redis?.disconnect();
    await db?.drop();
  });

  it("two workers split one stream with no loss and no double counting", async () => {
    newStream();
    const workers = [spawnEntry("worker", env), spawnEntry("worker", env)];
    await waitUntil("both workers reading", async () => workers.every((w) => w.output().includes('"msg":"worker started"')), { timeoutMs: 60_000 });
    await fill(); // once both read, so each gets a share
    await waitUntil("every event stored", async () => (await countEvents(database)).uuids >= total, { timeoutMs: 60_000 });
    for (const w of workers) w.child.kill("SIGTERM");
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
    const stored = workers.map((w) => Number(/"stored":(\d+),"msg":"worker stopped"/.exec(w.output())?.[1])); // the count once the last batch is in
    expect(stored.every((n) => n > 0)).toBe(true); // both took a share
    expect(stored[0] + stored[1]).toBe(total); // and nothing was stored twice
    expect(await countEvents(database)).toMatchObject({ uuids: total });
  }, 90_000);

  it("workers killed with SIGKILL mid-batch, again and again, lose and double nothing", async () => {
    const base = await countEvents(database);
    newStream();
    await fill();
    for (let round = 0; round < 3; round++) {
      const victim = spawnEntry("worker", env);
      const reached = base.uuids + (round + 1) * 500;
      await waitUntil(`round ${round} progress`, async () => (await countEvents(database)).uuids >= reached, { timeoutMs: 60_000 });
      victim.child.kill("SIGKILL");
      await victim.exited;
    }
    const survivor = spawnEntry("worker", env);
    await waitUntil("the rest taken over", async () => (await countEvents(database)).uuids >= base.uuids + total, { timeoutMs: 60_000 });
    // Entries the victims stored but never acked are reclaimed and acked too; then the stream is trimmed.
    await waitUntil("stream drained and trimmed", async () => (await streams.length()) <= 1, { timeoutMs: 20_000 });
    survivor.child.kill("SIGTERM");
    expect(await survivor.exited).toBe(0);
    const stored = await storedUuids(database);
    expect(ids.every((id) => stored.has(id))).toBe(true);
    expect(await countEvents(database)).toEqual({ uuids: base.uuids + total, rows: base.rows + total });
    expect(await streams.deadLetters()).toBe(0);
    await streams.close();
  }, 120_000);
});
