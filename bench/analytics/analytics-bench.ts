/**
 * Analytics bench: every REST analytics route next to the same SQL run
 * through the database client (the store method the route calls), and the
 * ClickHouse hourly rollup next to the raw scan, timed interleaved on this
 * machine so noise hits both sides alike.
 *   npm run bench:analytics            (tsx bench/analytics/analytics-bench.ts)
 * Env: BENCH_EVENTS (10000000, ClickHouse)  BENCH_PG_EVENTS (1000000, PostgreSQL)
 *      BENCH_EVENTS_PER_USER (100)  BENCH_DAYS (90)  BENCH_SAMPLES (30 pairs per figure)
 *      BENCH_MIN_SAMPLES (5)  BENCH_FIGURE_SECONDS (45, per figure once BENCH_MIN_SAMPLES are in)
 *      BENCH_DATABASES (clickhouse,postgres)  BENCH_BUDGET_MINUTES (60, the whole run)
 *      BENCH_ROUTES (every route; a comma list of route names as the report prints them)
 * Starts its own Redis, ClickHouse and PostgreSQL (test/support/services), each
 * database only for its phase; stops them and drops the data however the run ends.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { startLocalRedis } from "../../test/support/services/index.js";
import { exitAfterCleanup, guardRun, onCleanup } from "../shared/lifecycle.js";
import { backgroundCores } from "../shared/measure.js";
import { clickHousePhase, type PhaseResult } from "./analytics-clickhouse.js";
import { apiTarget, rollupTarget, type TimingOptions } from "./analytics-compare.js";
import type { DatasetSpec } from "./analytics-dataset.js";
import { postgresPhase } from "./analytics-postgres.js";
import { header, notes, type ResultRow, resultTable } from "./analytics-report.js";

const int = (name: string, dflt: number, min: number, max: number) => {
  const raw = process.env[name]?.trim().replaceAll("_", "");
  const n = raw ? Number(raw) : dflt;
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${process.env[name]}: expected a whole number in [${min}, ${max}]`);
  return n;
};
const cfg = {
  chEvents: int("BENCH_EVENTS", 10_000_000, 1000, 200_000_000),
  pgEvents: int("BENCH_PG_EVENTS", 1_000_000, 1000, 50_000_000),
  perUser: int("BENCH_EVENTS_PER_USER", 100, 1, 100_000),
  days: int("BENCH_DAYS", 90, 2, 3650),
  budgetMs: int("BENCH_BUDGET_MINUTES", 60, 1, 24 * 60) * 60_000,
  databases: new Set((process.env.BENCH_DATABASES ?? "clickhouse,postgres").split(",").map((s) => s.trim())),
};
const timing: TimingOptions = {
  samples: int("BENCH_SAMPLES", 30, 1, 10_000),
  minSamples: int("BENCH_MIN_SAMPLES", 5, 1, 10_000),
  warmup: 2,
  budgetMs: int("BENCH_FIGURE_SECONDS", 45, 1, 3600) * 1000,
};
const runId = randomBytes(4).toString("hex");
const started = Date.now();
const log = (msg: string) => console.error(`[analytics-bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
const spec = (events: number): DatasetSpec => ({
  events,
  users: Math.max(1, Math.round(events / cfg.perUser)),
  days: cfg.days,
  endS: Math.floor(Date.now() / 1000),
});

let stopping = false;

async function main(): Promise<number> {
  guardRun(cfg.budgetMs);
  // lifecycle.ts cleans up and exits on these; meanwhile no further phase may start a server.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void (stopping = true));
  const lines = header(process.env);
  log(lines.join("\n"));
  const idle = await backgroundCores(2000);
  lines.push(`background load before the run: ${idle.toFixed(2)} of ${os.cpus().length} cores busy (other processes)`);
  const redis = await startLocalRedis();
  onCleanup("local redis", () => redis.stop());

  const rows: ResultRow[] = [];
  let failed = false;
  const phases: Array<[string, () => Promise<PhaseResult>]> = [
    ["clickhouse", () => clickHousePhase(spec(cfg.chEvents), redis.url, runId, timing, log)],
    ["postgres", () => postgresPhase(spec(cfg.pgEvents), redis.url, runId, timing, log)],
  ];
  for (const [name, run] of phases) {
    if (!cfg.databases.has(name) || stopping) continue;
    log(`${name} phase`);
    try {
      const r = await run();
      rows.push(...r.rows);
      lines.push(...r.lines);
    } catch (e) {
      failed = true;
      lines.push(`! ${name} phase failed: ${(e as Error).stack ?? e}`);
      log(`${name} phase failed: ${(e as Error).message}`);
    }
  }

  console.log(lines.join("\n"));
  console.log(
    `\nTimed interleaved (A B, B A, …) after ${timing.warmup} warm-up rounds each: up to ${timing.samples} pairs per figure, ` +
      `fewer when a figure passes ${timing.budgetMs / 1000} s (never under ${timing.minSamples}); p99 is nearest-rank (of 30 samples, the maximum).`,
  );
  console.log(
    `Measured/baseline: REST request / store method called directly (target ratio ≤ ${apiTarget}×); raw scan of events / user_hours rollup (target ≥ ${rollupTarget}×).\n` +
      "Verdict on the p50 ratio; the paired ratio (median of back-to-back pair ratios) is its noise-robust cross-check.\n",
  );
  console.log(resultTable(rows));
  for (const n of notes(rows)) console.log(n);
  const below = rows.filter((r) => !r.pass).length;
  console.log(`\n${rows.length - below} PASS, ${below} BELOW-TARGET; run took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return failed ? 1 : 0;
}

main().then(
  (code) => exitAfterCleanup(code),
  (e: unknown) => {
    console.error(e);
    return exitAfterCleanup(1);
  },
);
