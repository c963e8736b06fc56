import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config/config.js";
import { ConfigError } from "../../../core/errors/config-error.js";
import { openDatabase } from "../../../storage/open-database.js";
import { countEvents, storedUuids } from "../../support/event-counts.js";
import { postJson } from "../../support/http-client.js";
import { startInProcessWorker } from "../../support/in-process-worker.js";
import { type InProcessServer, startInProcessServer } from "../../support/server/in-process-server.js";
import { clickHouseQuery, type LocalClickHouseCluster, plainCluster, replicatedCluster, startLocalClickHouseCluster } from "../../support/services/index.js";
import { createStreamReader } from "../../support/stream-reader.js";
import { asWriter, readJson } from "../../support/test-keys.js";
import { waitUntil } from "../../support/wait.js";

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const day = new Date().toISOString().slice(0, 10);
const number = async (url: string, sql: string) => Number((await clickHouseQuery(url, sql)).trim());

/** A ClickHouse 18.16 cluster of its own (a shard is stopped below), the engine's worker writing through server 0. */
describe("ClickHouse on a cluster (CLICKHOUSE_CLUSTER): a local table per shard behind a Distributed one", () => {
  let cluster: LocalClickHouseCluster;
  beforeAll(async () => {
    cluster = await startLocalClickHouseCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const clusterEnv = (name: string, database: string) => {
    const url = new URL(cluster.url);
    return { DATABASE_TYPE: "clickhouse", CLICKHOUSE_HOST: url.hostname, CLICKHOUSE_PORT: url.port, CLICKHOUSE_DB: database, CLICKHOUSE_CLUSTER: name };
  };

  /** The engine (server and its own worker) on a new database of the cluster; stopped and dropped by the returned function. */
  async function engineOn(name: string) {
    const database = `c${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const streams = await createStreamReader();
    const env = clusterEnv(name, database);
    const server = await startInProcessServer({ env: { ...env, INPROCESS_WORKER: "false", RATE_LIMIT_PER_ADDRESS: "100000" }, streamKey: streams.streamKey });
    const worker = await startInProcessWorker(streams.streamKey, env, { WORKER_LINGER_MS: "20", WORKER_BATCH_SIZE: "200" }, logger);
    const stop = async () => {
      await worker.stop();
      await server.close();
      await streams.close();
      await clickHouseQuery(cluster.url, `DROP DATABASE IF EXISTS ${database} ON CLUSTER ${name}`).catch(() => undefined);
    };
    return { database, streams, server, worker, stop };
  }

  const capture = async (server: InProcessServer, users: number, perUser: number) => {
    const events = Array.from({ length: users * perUser }, (_, i) => ({ event: "page_view", distinctId: `user-${i % users}`, uuid: randomUUID() }));
    for (let i = 0; i < events.length; i += 100) {
      const answer = await postJson(`${server.url}/api/v1/batch`, { events: events.slice(i, i + 100) }, asWriter);
      expect(answer.status).toBe(200);
    }
    return events;
  };

  it("stores each acknowledged event once, every person's events on one shard, both shards used, the replicas in step", async () => {
    const { database, server, worker, stop } = await engineOn(replicatedCluster);
    try {
      const sent = await capture(server, 200, 5);
      await waitUntil("every event stored", async () => (await countEvents(worker.database)).uuids >= sent.length, { timeoutMs: 30_000 });
      expect(await countEvents(worker.database)).toEqual({ uuids: sent.length, rows: sent.length });
      expect(await storedUuids(worker.database)).toEqual(new Set(sent.map((e) => e.uuid)));

      const [first, second, secondReplica] = cluster.servers.map((s) => s.url);
      const perShard = [
        await number(first, `SELECT count() FROM ${database}.events_local`),
        await number(second, `SELECT count() FROM ${database}.events_local`),
      ];
      expect(perShard[0] + perShard[1]).toBe(sent.length);
      expect(perShard.every((n) => n > sent.length / 5)).toBe(true);
      // A person's 5 events all on one shard: no distinct_id is on both.
      const usersOf = async (url: string) =>
        new Set((await clickHouseQuery(url, `SELECT DISTINCT distinct_id FROM ${database}.events_local`)).trim().split("\n"));
      const [a, b] = [await usersOf(first), await usersOf(second)];
      expect([...a].filter((u) => b.has(u))).toEqual([]);
      expect(a.size + b.size).toBe(200);
      // The second shard's other replica has its rows (Replicated engines, through the keeper).
      await clickHouseQuery(secondReplica, `SYSTEM SYNC REPLICA ${database}.events_local`);
      expect(await number(secondReplica, `SELECT count() FROM ${database}.events_local`)).toBe(perShard[1]);
      expect(
        (await clickHouseQuery(first, `SELECT DISTINCT engine FROM system.tables WHERE database = '${database}' AND name LIKE '%_local' ORDER BY engine`))
          .trim()
          .split("\n"),
      ).toEqual(["ReplicatedReplacingMergeTree", "ReplicatedSummingMergeTree"]);

      // Analytics read through the Distributed tables, the hourly rollups included.
      expect((await readJson(`${server.url}/api/v1/analytics/total-events?from=${day}&to=${day}`)).totalEvents).toBe(String(sent.length));
      expect(await readJson(`${server.url}/api/v1/analytics/dau?from=${day}&to=${day}`)).toEqual({ days: [{ date: day, users: "200" }] });
    } finally {
      await stop();
    }
  });

  it("with a shard down, capture goes on and the worker keeps its batches (no dead letters) until the shard is back; then each is stored once", async () => {
    const { database, server, worker, streams, stop } = await engineOn(plainCluster);
    const shard = cluster.servers[1];
    try {
      expect(
        (await clickHouseQuery(cluster.url, `SELECT DISTINCT engine FROM system.tables WHERE database = '${database}' AND name LIKE '%_local'`)).trim(),
      ).not.toMatch(/Replicated/);
      await shard.kill();
      const sent = await capture(server, 50, 4);
      // The worker has tried (and failed) for a while: nothing set aside, nothing acknowledged (so nothing trimmed).
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await streams.deadLetters()).toBe(0);
      expect(await streams.length()).toBe(sent.length);
      await shard.restart();
      await waitUntil("every event stored", async () => (await countEvents(worker.database)).uuids >= sent.length, { timeoutMs: 60_000 });
      expect(await countEvents(worker.database)).toEqual({ uuids: sent.length, rows: sent.length });
      expect(await streams.deadLetters()).toBe(0);
      expect((await readJson(`${server.url}/api/v1/analytics/total-events?from=${day}&to=${day}`)).totalEvents).toBe(String(sent.length));
    } finally {
      await shard.restart().catch(() => undefined);
      await stop();
    }
  });

  it("migrates again without change, and names CLICKHOUSE_CLUSTER when the server has no such cluster", async () => {
    const database = `c${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const config = (name: string) => loadConfig({ ...clusterEnv(name, database), STARTUP_TIMEOUT_MS: "0" }).database;
    try {
      for (let i = 0; i < 2; i++) {
        const db = await openDatabase(config(plainCluster), logger, { retryAfterSeconds: 1 });
        await db.close();
      }
      expect(
        (await clickHouseQuery(cluster.url, `SELECT groupArray(version) FROM (SELECT version FROM ${database}.schema_migrations ORDER BY version)`)).trim(),
      ).toBe("[1,2,3,4,5,6,7]");
      const refused = await openDatabase(config("no_such_cluster"), logger, { retryAfterSeconds: 1 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as ConfigError).message).toMatch(/CLICKHOUSE_CLUSTER.*no_such_cluster/);
    } finally {
      await clickHouseQuery(cluster.url, `DROP DATABASE IF EXISTS ${database} ON CLUSTER ${plainCluster}`).catch(() => undefined);
    }
  });
});
