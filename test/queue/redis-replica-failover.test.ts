import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config/config.js";
import { type RunningEngine, startEngine } from "../../main/engine-runtime.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { storedUuids } from "../support/event-counts.js";
import { postJson } from "../support/http-client.js";
import { type InProcessWorker, startInProcessWorker } from "../support/in-process-worker.js";
import { type LocalRedisCluster, startLocalRedisCluster } from "../support/services/redis-cluster-service.js";
import { asWriter, testKeyEnv } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

describe("capture on a Redis Cluster with replicas, waiting for them (REDIS_WAIT_REPLICAS)", () => {
  let cluster: LocalRedisCluster;
  let db: TestDatabase;
  const engines: RunningEngine[] = [];
  let worker: InProcessWorker;
  const dataDir = mkdtempSync(join(tmpdir(), "insightplus-failover-"));
  const stream = `test:failover:${randomUUID()}`;
  let env: Record<string, string>;

  const engine = async (replicas: string) => {
    const config = loadConfig({
      ...testKeyEnv,
      ...env,
      REDIS_WAIT_REPLICAS: replicas,
      DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      INPROCESS_WORKER: "false",
    });
    const started = await startEngine(config, logger);
    engines.push(started);
    const url = `http://127.0.0.1:${started.address.port}`;
    await waitUntil("the server ready", async () => (await fetch(`${url}/readyz/capture`)).ok, { timeoutMs: 10_000 });
    return url;
  };
  const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ event: "page_view", distinctId: `user-${i % 40}`, uuid: randomUUID() }));

  beforeAll(async () => {
    cluster = await startLocalRedisCluster(3, { appendonly: true, replicas: 1 });
    db = await createTestDatabase("postgres");
    env = { ...db.env, REDIS_URL: cluster.nodes[0], REDIS_CLUSTER_NODES: cluster.nodes.join(","), REDIS_QUEUE: stream, RATE_LIMIT_PER_ADDRESS: "100000" };
    worker = await startInProcessWorker(stream, env, { WORKER_LINGER_MS: "20" }, logger);
  }, 90_000);
  afterAll(async () => {
    await worker?.stop();
    for (const e of engines) await e.close();
    await db?.drop();
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers 503 naming the replicas when fewer than asked confirm an append", async () => {
    const url = await engine("2"); // one replica per master
    const res = await postJson(`${url}/api/v1/batch`, { events: batch(5) }, asWriter);
    expect(res.status).toBe(503);
    expect(res.text).toMatch(/replicas did not confirm/);
  });

  it("keeps every acknowledged event through a master's failure and its replica's promotion, each stored once", async () => {
    const url = await engine("1");
    const acknowledged: string[] = [];
    const send = async () => {
      const events = batch(50);
      const res = await postJson(`${url}/api/v1/batch`, { events }, asWriter).catch(() => undefined);
      if (res?.status === 200) acknowledged.push(...events.map((e) => e.uuid));
      return res?.status;
    };
    for (let i = 0; i < 10; i++) expect(await send()).toBe(200);
    // The master dies; sending goes on (503s while the replica takes over) until its replica serves the slots.
    await cluster.kill(cluster.ports[0]);
    const promoted = cluster.serving();
    let done = false;
    void promoted.then(() => (done = true));
    while (!done) await send();
    // The promoted master has no replica to confirm appends (503s) until the old one is back, as its replica.
    await cluster.restart(cluster.ports[0]);
    for (let i = 0; i < 10; i++) await waitUntil("capture answering again", async () => (await send()) === 200, { timeoutMs: 15_000 });
    expect(acknowledged.length).toBeGreaterThanOrEqual(1000);
    await waitUntil(
      "every acknowledged event stored",
      async () => {
        const stored = await storedUuids(worker.database);
        return acknowledged.every((u) => stored.has(u));
      },
      { timeoutMs: 30_000 },
    );
  }, 90_000);
});
