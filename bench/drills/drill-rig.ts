import { randomBytes } from "node:crypto";
import pg from "pg";
import pino from "pino";
import { sleep } from "../../core/backoff.js";
import { loadConfig } from "../../core/config/config.js";
import { openRedisQueueStats } from "../../queue/redis/redis-queue-stats.js";
import { type EntryProcess, type ServerProcess, spawnEntry, spawnServerProcess } from "../../test/support/server/entry-process.js";
import {
  clickHouseQuery,
  plainCluster,
  type RestartableServer,
  startLocalClickHouse,
  startLocalClickHouseCluster,
  startLocalPostgres,
  startLocalRedis,
} from "../../test/support/services/index.js";
import { startLocalRedisCluster } from "../../test/support/services/redis-cluster-service.js";
import { waitUntil } from "../../test/support/wait.js";
import { benchKeyEnv, benchReadHeaders } from "../shared/bench-keys.js";

/** clickhouse-cluster: two shards behind Distributed tables (its `database` is the second shard; closing stops all). */
export type DrillDatabase = "postgres" | "clickhouse" | "clickhouse-cluster";

/** What the database holds: each uuid once (ClickHouse read with FINAL), and how many events the analytics API counts today. */
export interface Stored {
  uuids: Set<string>;
  /** The API's total-events for today (UTC) less the distinct uuids stored: an event counted twice shows here. */
  doubled: number;
}

/** One drill's world: its own Redis or Redis Cluster (AOF, fsync always), database, server and workers, all on loopback. */
export interface DrillRig {
  /** One Redis, or the cluster's first master: crashed and started again on its files. */
  redis: { kill(): Promise<void>; restart(): Promise<void> };
  database: RestartableServer;
  server(): ServerProcess;
  url(): string;
  workers: EntryProcess[];
  /** Starts a worker and waits until it reads. */
  startWorker(): Promise<EntryProcess>;
  /** Starts the server again on its port (after a crash). */
  restartServer(): Promise<void>;
  stored(): Promise<Stored>;
  /** Polls until every uuid is stored or `timeoutMs` passes (reads failing meanwhile, as in an outage, are retried); the last reading. */
  waitStored(uuids: ReadonlySet<string>, timeoutMs: number): Promise<Stored>;
  /** Entries not yet acknowledged by a worker (pending + lag), every partition together: the engine's own /metrics reading. */
  backlog(): Promise<number>;
  close(): Promise<void>;
}

/** The analytics API's total-events for today (UTC), with the bench read key; throws when it does not answer 200. */
export async function todaysTotalEvents(url: string): Promise<number> {
  const day = new Date().toISOString().slice(0, 10);
  const res = await fetch(`${url}/api/v1/analytics/total-events?from=${day}&to=${day}`, { headers: benchReadHeaders, signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`total-events answered ${res.status}`);
  return Number(((await res.json()) as { totalEvents: string }).totalEvents);
}

/** The uuids a ClickHouse database holds (FINAL: each once), read through the server at `url`. */
const clickHouseUuids = async (url: string, database: string) =>
  (await clickHouseQuery(url, `SELECT toString(uuid) FROM ${database}.events FINAL`)).split("\n").filter(Boolean);

/** The settings the drills run with (printed with the figures): reclaim after 5 s, so a killed worker's batch is taken over soon. */
export const drillSettings = { WORKER_CLAIM_IDLE_MS: "5000", WORKER_LINGER_MS: "50" };

/**
 * redis-cluster: 3 masters; redis-cluster-replicated: 3 masters with a replica each, and capture waiting for one
 * replica to have each append (REDIS_WAIT_REPLICAS=1); its `redis.kill` kills a master and `restart` waits for the
 * replica's promotion before starting the old master again (it rejoins as a replica).
 */
export type DrillQueue = "redis" | "redis-cluster" | "redis-cluster-replicated";

export async function openDrillRig(kind: DrillDatabase, workers: number, queue: DrillQueue = "redis"): Promise<DrillRig> {
  let redis: DrillRig["redis"] & { stop(): Promise<void> };
  let redisEnv: Record<string, string>;
  if (queue === "redis") {
    const single = await startLocalRedis({ appendonly: true });
    redis = single;
    redisEnv = { REDIS_URL: single.url };
  } else {
    const replicas = queue === "redis-cluster-replicated" ? 1 : 0;
    const cluster = await startLocalRedisCluster(3, { appendonly: true, replicas });
    const [first] = cluster.ports;
    const restart = async () => {
      if (replicas > 0) await cluster.serving();
      await cluster.restart(first);
    };
    redis = { kill: () => cluster.kill(first), restart, stop: cluster.stop };
    redisEnv = { REDIS_CLUSTER_NODES: cluster.nodes.join(","), ...(replicas > 0 ? { REDIS_WAIT_REPLICAS: "1" } : {}) };
  }
  const name = `drill_${randomBytes(3).toString("hex")}`;
  let database: RestartableServer;
  let dbEnv: Record<string, string>;
  let storedUuids: () => Promise<string[]>;
  if (kind === "postgres") {
    const local = await startLocalPostgres();
    database = local;
    dbEnv = {
      DATABASE_TYPE: "postgres",
      POSTGRES_HOST: "127.0.0.1",
      POSTGRES_PORT: String(local.port),
      POSTGRES_DB: new URL(local.url).pathname.slice(1),
      POSTGRES_USER: "postgres",
    };
    storedUuids = async () => {
      const client = new pg.Client({ connectionString: local.url, connectionTimeoutMillis: 2000 });
      await client.connect();
      try {
        return (await client.query<{ uuid: string }>("SELECT uuid::text AS uuid FROM events")).rows.map((r) => r.uuid);
      } finally {
        await client.end();
      }
    };
  } else if (kind === "clickhouse-cluster") {
    const cluster = await startLocalClickHouseCluster();
    const shard = cluster.servers[1];
    database = { kill: shard.kill, halt: shard.halt, restart: shard.restart, stop: cluster.stop };
    const first = new URL(cluster.url);
    dbEnv = {
      DATABASE_TYPE: "clickhouse",
      CLICKHOUSE_HOST: first.hostname,
      CLICKHOUSE_PORT: first.port,
      CLICKHOUSE_DB: name,
      CLICKHOUSE_CLUSTER: plainCluster,
    };
    storedUuids = () => clickHouseUuids(cluster.url, name);
  } else {
    const local = await startLocalClickHouse();
    await clickHouseQuery(local.url, `CREATE DATABASE ${name}`);
    database = local;
    dbEnv = { DATABASE_TYPE: "clickhouse", CLICKHOUSE_HOST: "127.0.0.1", CLICKHOUSE_PORT: String(local.httpPort), CLICKHOUSE_DB: name };
    storedUuids = () => clickHouseUuids(local.url, name);
  }
  const env = { ...benchKeyEnv, ...dbEnv, ...drillSettings, ...redisEnv, LOG_LEVEL: "warn", RATE_LIMIT_PER_ADDRESS: "0", RATE_LIMIT_PER_KEY: "0" };
  let server: ServerProcess;
  try {
    server = await spawnServerProcess(env);
  } catch (e) {
    await database.stop();
    await redis.stop();
    throw e;
  }
  const stats = openRedisQueueStats(loadConfig(env), pino({ level: "silent" }));
  const stored = async (): Promise<Stored> => {
    const uuids = new Set(await storedUuids());
    return { uuids, doubled: (await todaysTotalEvents(server.url)) - uuids.size };
  };
  const rig: DrillRig = {
    redis,
    database,
    server: () => server,
    url: () => server.url,
    workers: [],
    async startWorker() {
      const w = spawnEntry("worker", { ...env, LOG_LEVEL: "info" });
      await waitUntil("a worker reading", async () => w.output().includes('"msg":"worker started"'), {
        timeoutMs: 60_000,
        gaveUp: () => (w.child.exitCode !== null ? w.output() : undefined),
      });
      rig.workers.push(w);
      return w;
    },
    async restartServer() {
      server = await spawnServerProcess({ ...env, PORT: String(server.port) });
    },
    stored,
    async waitStored(uuids, timeoutMs) {
      let last: Stored | undefined;
      for (const until = Date.now() + timeoutMs; ; await sleep(250)) {
        last = (await stored().catch(() => undefined)) ?? last;
        if ((last && [...uuids].every((u) => last!.uuids.has(u))) || Date.now() > until) break;
      }
      return last ?? (await stored());
    },
    backlog: async () => (await stats.stats()).reduce((n, p) => n + (p.pending ?? 0) + (p.lag ?? p.length), 0),
    async close() {
      stats.close();
      for (const p of [server, ...rig.workers]) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
      await Promise.all([server, ...rig.workers].map((p) => p.exited));
      await database.stop();
      await redis.stop();
    },
  };
  try {
    for (let i = 0; i < workers; i++) await rig.startWorker();
  } catch (e) {
    await rig.close();
    throw e;
  }
  return rig;
}
