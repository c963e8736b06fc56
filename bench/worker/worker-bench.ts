/**
 * Worker bench: drain throughput into ClickHouse and PostgreSQL next to raw
 * ceilings measured side by side, and end-to-end freshness (capture → visible).
 *   npx tsx bench/worker/worker-bench.ts        (planned: npm run bench:worker)
 * Env: BENCH_EVENTS (300000) BENCH_BATCH_SIZES (1000,5000) BENCH_ROUNDS (3)
 *      BENCH_FRESH_SECONDS (20) BENCH_FRESH_RATE (2000 events/s) BENCH_FRESH_BATCH (50)
 *      BENCH_PHASES (clickhouse,postgres,freshness) BENCH_CPU_PROF=1 (one extra profiled drain per database)
 *      BENCH_PARTITIONS (16: QUEUE_PARTITIONS of the drains) BENCH_WORKERS (1: consumers draining at once, each on its own connection)
 *      REDIS_URL, CLICKHOUSE_HOST/PORT/USER/PASSWORD, POSTGRES_HOST/PORT/USER/PASSWORD/DB: use these instead of local servers.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { Redis } from "ioredis";
import pino from "pino";
import { clickHouseTrials, postgresTrials } from "./worker-bench-databases.js";
import { type E2eResult, runE2e } from "./worker-bench-e2e.js";
import { exitAfterCleanup, guardRun, onCleanup, provideServices } from "./worker-bench-env.js";
import { averagePropertiesBytes, encodeAll, makeEvents } from "./worker-bench-events.js";
import { percentile } from "./worker-bench-freshness.js";
import { withCpuProfile } from "./worker-bench-profile.js";
import { drainRow, resultHeader, type Trial, table, trialLines } from "./worker-bench-report.js";
import { drainTimeoutMs, type TrialPlan } from "./worker-bench-trials.js";

const int = (name: string, dflt: number, min: number, max: number) => {
  const raw = process.env[name]?.trim();
  const n = raw ? Number(raw) : dflt;
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${raw}: expected a whole number in [${min}, ${max}]`);
  return n;
};
const cfg = {
  events: int("BENCH_EVENTS", 300_000, 1000, 5_000_000),
  batchSizes: (process.env.BENCH_BATCH_SIZES ?? "1000,5000")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0 && n <= 100_000),
  rounds: int("BENCH_ROUNDS", 3, 1, 9),
  partitions: int("BENCH_PARTITIONS", 16, 1, 1024),
  workers: int("BENCH_WORKERS", 1, 1, 8),
  freshSeconds: int("BENCH_FRESH_SECONDS", 20, 2, 600),
  freshRate: int("BENCH_FRESH_RATE", 2000, 10, 100_000),
  freshBatch: int("BENCH_FRESH_BATCH", 50, 1, 1000),
  phases: new Set((process.env.BENCH_PHASES ?? "clickhouse,postgres,freshness").split(",").map((s) => s.trim())),
  profile: process.env.BENCH_CPU_PROF === "1",
};
const log = (msg: string) => console.error(`[worker-bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const profiles: string[] = [];

async function main() {
  // Budget: every drain and ceiling at its time limit (two databases), plus the e2e phase and service start-up.
  if (cfg.batchSizes.length === 0) throw new Error("BENCH_BATCH_SIZES: expected a comma list of batch sizes (1–100000)");
  const drains = 2 * (cfg.batchSizes.length * cfg.rounds * 2 + 2 + (cfg.profile ? 1 : 0)); // + warm-up drain and ceiling
  guardRun(drains * drainTimeoutMs(cfg.events) + (cfg.freshSeconds + 300) * 1000);
  const cpu = os.cpus();
  const vars = Object.entries(process.env).filter(([n]) => /^(BENCH_|REDIS_URL$|CLICKHOUSE_HOST$|POSTGRES_HOST$)/.test(n));
  console.log(`command: ${[...vars.map(([n, v]) => `${n}=${v}`), "npx tsx bench/worker/worker-bench.ts"].join(" ")}`);
  console.log(
    `machine: ${cpu[0]?.model ?? "?"}, ${cpu.length} cores, node ${process.version}, ${os.platform()} ${os.release()}, load avg ${os.loadavg()[0].toFixed(2)}`,
  );

  const services = await provideServices(process.env, {
    clickhouse: cfg.phases.has("clickhouse") || cfg.phases.has("freshness"),
    postgres: cfg.phases.has("postgres"),
  });
  console.log(`services: ${services.sources.join("; ")}`);
  const runId = randomBytes(3).toString("hex");
  const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  onCleanup("bench redis client", async () => {
    let cursor = "0";
    for (let i = 0; i < 10_000 && (i === 0 || cursor !== "0"); i++) {
      const [next, keys] = await redis.scan(cursor, "MATCH", `bench:worker:${runId}:*`, "COUNT", 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    }
    await redis.quit();
  });
  const events = makeEvents(cfg.events);
  const entries = encodeAll(events);
  console.log(
    `events: ${cfg.events} (page_view 55%, most_used_feature 25%, user_registered 10%, payment_success 10%; 10k users; ` +
      `properties ${averagePropertiesBytes(events).toFixed(0)} B avg); batch sizes ${cfg.batchSizes.join(", ")}; ${cfg.rounds} rounds, worker and ceiling back to back; ` +
      `${cfg.partitions} partitions, ${cfg.workers} worker${cfg.workers > 1 ? "s" : ""}\n`,
  );
  const plan: TrialPlan = {
    runId,
    redisUrl: services.redisUrl,
    redis,
    events,
    entries,
    batchSizes: cfg.batchSizes,
    rounds: cfg.rounds,
    partitions: cfg.partitions,
    workers: cfg.workers,
    log,
    // "error": at "warn" the worker reports its own clean Redis quit as "connection closed; reconnecting".
    logger: pino({ level: "error" }, pino.destination(2)),
    profile: cfg.profile
      ? async (fn) =>
          (
            await withCpuProfile(fn).then((r) => {
              profiles.push(r.summary);
              return r;
            })
          ).value
      : undefined,
    profiled: (kind, size, t) => profiles.push(`  ${kind}, batch ${size}: ${t.rate.toFixed(0)}/s under the profiler; ${t.anatomy}`),
  };
  let chTrials: Trial[] = [];
  let pgTrials: Trial[] = [];
  let pgCeiling = "plain COPY";
  let e2e: E2eResult | undefined;
  const rows: string[][] = [];
  const details: string[] = [];
  const failures: string[] = [];
  const phase = async (name: string, fn: () => Promise<void>) => {
    if (!cfg.phases.has(name)) return;
    try {
      await fn();
    } catch (e) {
      failures.push(`${name}: ${(e as Error).stack ?? e}`);
      log(`${name} failed: ${(e as Error).message}`);
    }
  };
  await phase("clickhouse", async () => void (chTrials = await clickHouseTrials(plan, services.clickhouse!, () => undefined)));
  await phase("postgres", async () => void (pgTrials = await postgresTrials(plan, services.postgres!, (n) => (pgCeiling = n))));
  await phase("freshness", async () => {
    e2e = await runE2e({ runId, redis, services, events, eventsPerSecond: cfg.freshRate, batchSize: cfg.freshBatch, seconds: cfg.freshSeconds, log });
  });

  if (cfg.phases.has("clickhouse")) rows.push(drainRow("1. Worker drain → ClickHouse", "plain JSONEachRow insert (@clickhouse/client)", chTrials, 0.7));
  if (cfg.phases.has("postgres")) rows.push(drainRow("2. Worker drain → PostgreSQL", pgCeiling, pgTrials, 0.5));
  details.push(...trialLines("clickhouse", chTrials), ...trialLines("postgres  ", pgTrials));
  if (cfg.phases.has("freshness")) {
    if (!e2e) rows.push(["3. Capture → visible (ClickHouse)", "not run", "—", "—", "—", "—", "p99 < 2000 ms", "BELOW-TARGET"]);
    else {
      const p50 = percentile(e2e.latenciesMs, 50);
      const p99 = e2e.markersMissing > 0 ? Infinity : percentile(e2e.latenciesMs, 99);
      const ok = p99 < 2000 && e2e.markerErrors === 0 && e2e.latenciesMs.length > 0;
      rows.push([
        `3. Capture → visible (ClickHouse, linger ${e2e.lingerMs} ms, batch ${e2e.workerBatchSize})`,
        `p50 ${p50.toFixed(0)} ms, p99 ${Number.isFinite(p99) ? `${p99.toFixed(0)} ms` : "> settle time"}`,
        `${e2e.latenciesMs.length}/${e2e.markersSent} markers seen`,
        `max ${Math.max(...e2e.latenciesMs).toFixed(0)} ms`,
        "—",
        "—",
        "p99 < 2000 ms",
        ok ? "PASS" : "BELOW-TARGET",
      ]);
      details.push(
        `  freshness: load ${e2e.loadAccepted} events accepted in ${e2e.seconds.toFixed(1)} s (${(e2e.loadAccepted / e2e.seconds).toFixed(0)}/s offered ${cfg.freshRate}/s, batches of ${cfg.freshBatch}), ` +
          `${e2e.loadErrors} load errors, ${e2e.markerErrors} marker errors, ${e2e.skipped} requests skipped (client behind), ${e2e.markersMissing} markers never seen; ` +
          `${e2e.storedRows} of ${e2e.expectedRows} rows stored${e2e.firstError ? `; first error: ${e2e.firstError}` : ""}; latency includes up to one 20 ms poll`,
      );
    }
  }
  console.log(table(resultHeader, rows));
  console.log(
    `\nRatio = median over rounds of worker rate / ceiling rate at the best batch size (each round: worker and ceiling back to back).\n` +
      `CPU-cost ratio = ceiling CPU per event / worker CPU per event, summed over this process (node), Redis and the local database server:\n` +
      `the rate ratio a CPU-saturated machine allows, less sensitive to other tenants than wall time.\n\nper round:\n${details.join("\n")}`,
  );
  if (profiles.length) console.log(`\nCPU profile of one extra drain per database (best batch size, not counted above):\n${profiles.join("\n\n")}`);
  if (failures.length) console.log(`\nfailed phases:\n${failures.join("\n")}`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => exitAfterCleanup(code),
  (e: unknown) => {
    console.error("worker bench failed:", (e as Error).stack ?? e);
    void exitAfterCleanup(1);
  },
);
