import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { Redis } from "ioredis";
import { createRedisStreamPublisher } from "../server/queue/redis-stream-publisher.js";
import { loadConfig } from "../server/config.js";
import { openSink } from "../worker/sink/sink-factory.js";
import type { EventSink } from "../worker/sink/event-sink.js";
import { availableDatabases, createTestDatabase, type TestDatabase } from "./support/databases.js";
import { countEvents, storedUuids } from "./support/event-counts.js";
import { waitFor } from "./support/worker-harness.js";

const total = 6000;

/** `npm run worker` as a child process. */
function spawnWorker(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", "worker/main.ts"], { env: { ...process.env, LOG_LEVEL: "info", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d));
  child.stderr!.on("data", (d: Buffer) => (out += d));
  return { child, output: () => out, exited: once(child, "exit").then(([c]) => c as number | null) };
}

// Server databases only: PGlite and chdb are embedded in one process.
describe.each(availableDatabases().filter((k) => k === "clickhouse" || k === "postgres"))("workers as processes into %s", (kind) => {
  let db: TestDatabase;
  let sink: EventSink;
  let redis: Redis;
  let stream: string;
  let env: Record<string, string>;
  let ids: string[];

  async function fill() {
    stream = `test:${randomUUID()}`;
    env = { REDIS_URL: inject("redisUrl"), REDIS_QUEUE: stream, WORKER_BATCH_SIZE: "200", WORKER_LINGER_MS: "20", WORKER_CLAIM_IDLE_MS: "1500", ...db.env };
    const publisher = createRedisStreamPublisher({ redis, streamKey: stream, backlogWatermark: 1e9, retryAfterSeconds: 1 });
    ids = Array.from({ length: total }, () => randomUUID());
    const now = Date.now();
    await publisher.publish(ids.map((uuid, i) => ({ uuid, event: "page_view", distinctId: `u${i % 101}`, propertiesJson: `{"i":${i}}`, timestampMs: now, receivedAtMs: now, timestampClamped: false })));
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    redis = new Redis(inject("redisUrl"));
    sink = await openSink(loadConfig(db.env).database, pino({ level: "silent" }));
  }, 60_000);
  afterAll(async () => {
    await sink?.close();
    redis?.disconnect();
    await db?.drop();
  });

  it("two workers split one stream with no loss and no double counting", async () => {
    await fill();
    const workers = [spawnWorker(env), spawnWorker(env)];
    await waitFor("every event stored", async () => (await countEvents(sink)).uuids >= total, 60_000);
    for (const w of workers) w.child.kill("SIGTERM");
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
    const stored = workers.map((w) => Number(/"stored":(\d+),"msg":"stopped"/.exec(w.output())?.[1])); // the count once the last batch is in
    expect(stored.every((n) => n > 0)).toBe(true); // both took a share
    expect(stored[0] + stored[1]).toBe(total); // and nothing was stored twice
    expect(await countEvents(sink)).toMatchObject({ uuids: total });
  }, 90_000);

  it("workers killed with SIGKILL mid-batch, again and again, lose and double nothing", async () => {
    const base = await countEvents(sink);
    await fill();
    for (let round = 0; round < 3; round++) {
      const victim = spawnWorker(env);
      const reached = base.uuids + (round + 1) * 500;
      await waitFor(`round ${round} progress`, async () => (await countEvents(sink)).uuids >= reached, 60_000);
      victim.child.kill("SIGKILL");
      await victim.exited;
    }
    const survivor = spawnWorker(env);
    await waitFor("the rest taken over", async () => (await countEvents(sink)).uuids >= base.uuids + total, 60_000);
    // Entries the victims stored but never acked are reclaimed and acked too; then the stream is trimmed.
    await waitFor("stream drained and trimmed", async () => (await redis.xlen(stream)) <= 1, 20_000);
    survivor.child.kill("SIGTERM");
    expect(await survivor.exited).toBe(0);
    const stored = await storedUuids(sink);
    expect(ids.every((id) => stored.has(id))).toBe(true);
    expect(await countEvents(sink)).toEqual({ uuids: base.uuids + total, rows: base.rows + total });
    expect(await redis.xlen(`${stream}:dead`)).toBe(0);
  }, 120_000);
});
