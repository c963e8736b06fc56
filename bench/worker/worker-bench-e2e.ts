/**
 * Phase 3 wiring: a fresh ClickHouse database, the real server (INPROCESS_WORKER
 * false) and one real worker as child processes on a fresh stream, then the
 * freshness measurement. Everything it starts is stopped and deleted after.
 */
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { Redis } from "ioredis";
import { loadConfig } from "../../core/config/config.js";
import type { StoredEvent } from "../../core/events/event-model.js";
import { createStreamLayout } from "../../queue/redis/stream-layout.js";
import { freePort } from "../../test/support/ports.js";
import { waitUntil } from "../../test/support/wait.js";
import { benchKeyEnv, benchKeyHeaders } from "../shared/bench-keys.js";
import { spawnEntry, workerGroupExists } from "./worker-bench-children.js";
import { type BenchServices, onCleanup } from "./worker-bench-env.js";
import { type FreshnessResult, measureFreshness } from "./worker-bench-freshness.js";

export interface E2eOptions {
  runId: string;
  redis: Redis;
  services: BenchServices;
  events: readonly StoredEvent[];
  eventsPerSecond: number;
  batchSize: number;
  seconds: number;
  log(msg: string): void;
}

export interface E2eResult extends FreshnessResult {
  lingerMs: number;
  workerBatchSize: number;
  storedRows: number;
  expectedRows: number;
}

export async function runE2e(o: E2eOptions): Promise<E2eResult> {
  const ch = o.services.clickhouse!;
  const db = `wb_${o.runId}_fresh`;
  const key = `bench:worker:${o.runId}:fresh`;
  const defaults = loadConfig({}).worker; // what the worker child runs with (WORKER_* are not passed)
  const client = createClient({ url: ch.url, database: db, username: ch.user, password: ch.password, log: { level: ClickHouseLogLevel.OFF } });
  const cleanups: Array<() => Promise<unknown>> = [];
  const later = (name: string, fn: () => Promise<unknown>) => {
    let done: Promise<unknown> | undefined;
    const once = () => (done ??= fn());
    onCleanup(name, once);
    cleanups.push(once);
  };
  later("e2e clickhouse client", () => client.close());
  later(`clickhouse database ${db}`, () => client.command({ query: `DROP DATABASE IF EXISTS ${db}` }));
  later("e2e stream keys", () => o.redis.unlink(key, `${key}:dead`));
  try {
    const env = {
      LOG_LEVEL: "warn",
      REDIS_URL: o.services.redisUrl,
      REDIS_QUEUE: key,
      DATABASE_TYPE: "clickhouse",
      CLICKHOUSE_HOST: ch.host,
      CLICKHOUSE_PORT: String(ch.port),
      CLICKHOUSE_DB: db,
      CLICKHOUSE_USER: ch.user,
      CLICKHOUSE_PASSWORD: ch.password,
      ...benchKeyEnv,
    };
    // The worker first: its migration creates the database and table the markers are polled in.
    const worker = spawnEntry("main/worker-main.ts", env);
    later("worker child", () => worker.stop());
    await waitUntil(
      "the worker's consumer group",
      () =>
        workerGroupExists(o.redis, createStreamLayout({ streamKey: key, deadLetterKey: `${key}:dead`, partitions: 1 }).sources[0].streamKey, defaults.group),
      { timeoutMs: 60_000 },
    );
    const port = await freePort();
    const server = spawnEntry("main/server-main.ts", { ...env, INPROCESS_WORKER: "false", PORT: String(port), HOST: "127.0.0.1" });
    later("server child", () => server.stop());
    const serverUrl = `http://127.0.0.1:${port}`;
    await waitUntil("the server to be ready", async () => (await fetch(`${serverUrl}/readyz`)).ok, { timeoutMs: 60_000 });
    // Warm-up (not measured): one event through the whole path, proving it works and warming both processes.
    const warm = await fetch(`${serverUrl}/api/v1/capture`, {
      method: "POST",
      headers: { "content-type": "application/json", ...benchKeyHeaders },
      body: JSON.stringify({ event: "page_view", distinctId: `wb-warmup-${o.runId}` }),
    });
    if (!warm.ok) throw new Error(`warm-up capture answered HTTP ${warm.status}`);
    await waitUntil("the warm-up event to be stored", async () => (await countRows()) >= 1, { timeoutMs: 60_000 });
    o.log(`e2e: server pid ${server.pid} on :${port}, worker pid ${worker.pid}; ${o.eventsPerSecond} events/s in batches of ${o.batchSize} for ${o.seconds} s`);
    const r = await measureFreshness({
      serverUrl,
      ch: client,
      runId: o.runId,
      events: o.events,
      eventsPerSecond: o.eventsPerSecond,
      batchSize: o.batchSize,
      seconds: o.seconds,
      markerEveryMs: 100,
      pollMs: 20,
      settleMs: 15_000,
    });
    const expected = 1 + r.loadAccepted + r.markersSent - r.markerErrors;
    let stored = 0;
    await waitUntil("every accepted event stored", async () => (stored = await countRows()) >= expected, { timeoutMs: 15_000 }).catch(() => undefined);
    return { ...r, lingerMs: defaults.lingerMs, workerBatchSize: defaults.batchSize, storedRows: stored, expectedRows: expected };
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((e: unknown) => o.log(`e2e cleanup: ${(e as Error).message}`));
  }

  async function countRows(): Promise<number> {
    const r = await (await client.query({ query: "SELECT count() AS n FROM events", format: "JSONEachRow" })).json<{ n: string }>();
    return Number(r[0].n);
  }
}
