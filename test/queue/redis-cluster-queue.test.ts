import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config/config.js";
import { type RunningEngine, startEngine } from "../../main/engine-runtime.js";
import { createRedisDeadLetters } from "../../queue/redis/redis-dead-letters.js";
import { createRedisStreamFeed } from "../../queue/redis/redis-stream-feed.js";
import { streamLayoutOf } from "../../queue/redis/stream-layout.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { countEvents, storedUuids } from "../support/event-counts.js";
import { postJson } from "../support/http-client.js";
import { type InProcessWorker, startInProcessWorker } from "../support/in-process-worker.js";
import { type LocalRedisCluster, startLocalRedisCluster } from "../support/services/redis-cluster-service.js";
import { asWriter, readJson, testKeyEnv } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const day = new Date().toISOString().slice(0, 10);

describe("the queue on a Redis Cluster of 3 masters (REDIS_CLUSTER_NODES)", () => {
  let cluster: LocalRedisCluster;
  let db: TestDatabase;
  let engine: RunningEngine;
  let url: string;
  const workers: InProcessWorker[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), "insightplus-cluster-"));
  const stream = `test:cluster:${randomUUID()}`;
  let env: Record<string, string>;

  beforeAll(async () => {
    cluster = await startLocalRedisCluster(3);
    db = await createTestDatabase("postgres");
    env = { ...db.env, REDIS_URL: cluster.nodes[0], REDIS_CLUSTER_NODES: cluster.nodes.join(","), REDIS_QUEUE: stream, RATE_LIMIT_PER_ADDRESS: "100000" };
    const config = loadConfig({ ...testKeyEnv, ...env, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", INPROCESS_WORKER: "false" });
    engine = await startEngine(config, logger);
    url = `http://127.0.0.1:${engine.address.port}`;
    await waitUntil("the server ready", async () => (await fetch(`${url}/readyz`)).ok, { timeoutMs: 10_000 });
    // Two workers share the partitions through the consumer group, as they would on two machines.
    // Batches of 100, so each worker takes a share of the 3,000 events (one batch of the default 10,000 could take them all).
    for (let i = 0; i < 2; i++) workers.push(await startInProcessWorker(stream, env, { WORKER_LINGER_MS: "20", WORKER_BATCH_SIZE: "100" }, logger));
  }, 90_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await engine?.close();
    await db?.drop();
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("spreads events over partitions on every master, stores each acknowledged one once, and answers analytics from them", async () => {
    const users = 300;
    const batches = Array.from({ length: 30 }, (_, b) =>
      Array.from({ length: 100 }, (_, i) => ({ event: "page_view", distinctId: `user-${(b * 100 + i) % users}`, uuid: randomUUID() })),
    );
    const answers = await Promise.all(batches.map((events) => postJson(`${url}/api/v1/batch`, { events }, asWriter)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const sent = batches.flat().map((e) => e.uuid);

    const { database } = workers[0];
    await waitUntil("every event stored", async () => (await countEvents(database)).uuids >= sent.length, { timeoutMs: 30_000 });
    expect(await countEvents(database)).toEqual({ uuids: sent.length, rows: sent.length });
    expect(await storedUuids(database)).toEqual(new Set(sent));
    // Both workers took part; the 16 partition streams are spread over every master.
    await waitUntil("both workers acknowledged a share", async () => workers.every((w) => w.worker.consumer.stored() > 0));
    const partitions = await cluster.keysPerNode(`${stream}:{*}`);
    expect([...partitions.values()].reduce((a, b) => a + b, 0)).toBe(16);
    expect([...partitions.values()].every((n) => n > 0)).toBe(true);

    expect((await readJson(`${url}/api/v1/analytics/total-events?from=${day}&to=${day}`)).totalEvents).toBe(String(sent.length));
    expect(await readJson(`${url}/api/v1/analytics/dau?from=${day}&to=${day}`)).toEqual({ days: [{ date: day, users: String(users) }] });
  });

  it("follows every partition for the live tail", async () => {
    const layout = streamLayoutOf(workers[0].config);
    const feed = createRedisStreamFeed({ target: { url: cluster.nodes[0], clusterNodes: cluster.nodes }, layout, logger });
    try {
      const seen: string[] = [];
      await feed.follow((events) => seen.push(...events.map((e) => e.distinctId))).ready;
      const events = Array.from({ length: 40 }, (_, i) => ({ event: "page_view", distinctId: `tail-${i}` }));
      expect((await postJson(`${url}/api/v1/batch`, { events }, asWriter)).status).toBe(200);
      await waitUntil("all 40 seen", async () => seen.length >= 40, { timeoutMs: 10_000 });
      expect(seen.sort()).toEqual(events.map((e) => e.distinctId).sort());
    } finally {
      await feed.close();
    }
  });

  it("sets aside what cannot be stored in the partition's own slot, and the dead-letter tool replays it from there", async () => {
    const redis = new Cluster(cluster.nodes.map((n) => ({ host: "127.0.0.1", port: Number(new URL(n).port) })));
    try {
      const layout = streamLayoutOf(workers[0].config);
      const letters = createRedisDeadLetters(redis, layout);
      await redis.xadd(layout.sources[7].streamKey, "*", "e", Buffer.from([0xff, 0x01]));
      await waitUntil("set aside", async () => (await letters.count()) === 1, { timeoutMs: 15_000 });
      const [letter] = await letters.list(10);
      expect(letter.id).toMatch(/^7\//);
      const uuid = randomUUID();
      const now = Date.now();
      const mended = {
        projectId: "default",
        uuid,
        event: "page_view",
        distinctId: "mended",
        propertiesJson: "{}",
        timestampMs: now,
        receivedAtMs: now,
        timestampClamped: false,
      };
      expect(await letters.replay(letter.id, mended)).toBe("replayed");
      await waitUntil("the mended event stored", async () => (await storedUuids(workers[0].database)).has(uuid), { timeoutMs: 15_000 });
      expect(await letters.count()).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
