/**
 * Dashboard bench, on the bench:analytics ClickHouse dataset and engine:
 *   1. insights (QueryTrends) through the engine vs createTrendsQuery over the same store, interleaved;
 *   2. the dashboard's first screen (dashboard/src/first-load.ts) replayed at once over Connect;
 *   3. the dashboard bundle's gzip size (dist/dashboard/, when built).
 *   npm run bench:dashboard            (tsx bench/analytics/dashboard-bench.ts)
 * Env: BENCH_EVENTS (10000000)  BENCH_EVENTS_PER_USER (100)  BENCH_DAYS (90)
 *      BENCH_SAMPLES (30 pairs per trends figure)  BENCH_MIN_SAMPLES (5)  BENCH_FIGURE_SECONDS (45, per trends figure)
 *      BENCH_TRENDS_API (rest; or connect, or rest,connect)
 *      BENCH_ROUNDS (10 first loads, each next to an in-process one)  BENCH_MIN_ROUNDS (3)  BENCH_FIRST_LOAD_SECONDS (240)
 *      BENCH_ALONE_ROUNDS (3, each tile alone)  BENCH_HTTP_VERSION (2; or 1.1)
 *      BENCH_PARTS (trends,first-load,bundle)  BENCH_BUDGET_MINUTES (60, the whole run)
 * Starts its own Redis and ClickHouse (test/support/services); stops them and drops the data however the run ends.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { startLocalRedis } from "../../test/support/services/index.js";
import { commandLine, machineSummary } from "../shared/bench-header.js";
import { exitAfterCleanup, guardRun, onCleanup } from "../shared/lifecycle.js";
import { backgroundCores } from "../shared/measure.js";
import { clickHousePhase } from "./analytics-clickhouse.js";
import { apiTarget, type TimingOptions } from "./analytics-compare.js";
import { notes, type ResultRow, resultTable } from "./analytics-report.js";
import { bundleReport } from "./dashboard-bundle.js";
import { type FirstLoadOptions, measureFirstLoad, tileTargetMs } from "./dashboard-first-load.js";
import { compareTrends, type TrendsApi } from "./dashboard-trends.js";

const int = (name: string, dflt: number, min: number, max: number) => {
  const raw = process.env[name]?.trim().replaceAll("_", "");
  const n = raw ? Number(raw) : dflt;
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${process.env[name]}: expected a whole number in [${min}, ${max}]`);
  return n;
};
const list = <T extends string>(name: string, dflt: string, allowed: readonly T[]): T[] => {
  const xs = (process.env[name] ?? dflt).split(",").map((s) => s.trim());
  const bad = xs.filter((x) => !allowed.includes(x as T));
  if (bad.length || xs.length === 0) throw new Error(`${name}=${process.env[name]}: expected a comma list of ${allowed.join(", ")}`);
  return xs as T[];
};
const cfg = {
  events: int("BENCH_EVENTS", 10_000_000, 1000, 200_000_000),
  perUser: int("BENCH_EVENTS_PER_USER", 100, 1, 100_000),
  days: int("BENCH_DAYS", 90, 2, 3650),
  budgetMs: int("BENCH_BUDGET_MINUTES", 60, 1, 24 * 60) * 60_000,
  parts: new Set(list("BENCH_PARTS", "trends,first-load,bundle", ["trends", "first-load", "bundle"] as const)),
  apis: list<TrendsApi>("BENCH_TRENDS_API", "rest", ["rest", "connect"]),
};
const timing: TimingOptions = {
  samples: int("BENCH_SAMPLES", 30, 1, 10_000),
  minSamples: int("BENCH_MIN_SAMPLES", 5, 1, 10_000),
  warmup: 2,
  budgetMs: int("BENCH_FIGURE_SECONDS", 45, 1, 3600) * 1000,
};
const firstLoad: FirstLoadOptions = {
  rounds: int("BENCH_ROUNDS", 10, 1, 10_000),
  minRounds: int("BENCH_MIN_ROUNDS", 3, 1, 10_000),
  budgetMs: int("BENCH_FIRST_LOAD_SECONDS", 240, 1, 24 * 3600) * 1000,
  aloneRounds: int("BENCH_ALONE_ROUNDS", 3, 0, 1000),
  httpVersion: list("BENCH_HTTP_VERSION", "2", ["1.1", "2"] as const)[0],
  rangeDays: 30,
};
const runId = randomBytes(4).toString("hex");
const started = Date.now();
const log = (msg: string) => console.error(`[dashboard-bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

async function main(): Promise<number> {
  guardRun(cfg.budgetMs);
  const lines = [
    `${commandLine("bench/analytics/dashboard-bench.ts")}   (npm run bench:dashboard)`,
    `machine: ${machineSummary()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}`,
    `load average at start: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  ];
  log(lines.join("\n"));
  lines.push(`background load before the run: ${(await backgroundCores(2000)).toFixed(2)} of ${os.cpus().length} cores busy (other processes)`);

  let rows: ResultRow[] = [];
  let firstLoadLines: string[] = [];
  let verdicts = { pass: 0, below: 0 };
  let failed = false;
  if (cfg.parts.has("trends") || cfg.parts.has("first-load")) {
    const redis = await startLocalRedis();
    onCleanup("local redis", () => redis.stop());
    const spec = { events: cfg.events, users: Math.max(1, Math.round(cfg.events / cfg.perUser)), days: cfg.days, endS: Math.floor(Date.now() / 1000) };
    try {
      // The analytics bench's ClickHouse phase loads the same dataset and starts the same engine; these figures replace its own.
      const phase = await clickHousePhase(spec, redis.url, runId, timing, log, async (rig) => {
        const trendRows = cfg.parts.has("trends") ? await compareTrends(rig, cfg.apis, timing, log) : [];
        if (cfg.parts.has("first-load")) {
          const r = await measureFirstLoad(rig, firstLoad, log);
          firstLoadLines = r.lines;
          verdicts = { pass: r.pass, below: r.below };
        }
        return { rows: trendRows, lines: [] };
      });
      rows = phase.rows;
      lines.push(...phase.lines);
    } catch (e) {
      failed = true;
      lines.push(`! clickhouse phase failed: ${(e as Error).stack ?? e}`);
      log(`clickhouse phase failed: ${(e as Error).message}`);
    }
  }

  console.log(lines.join("\n"));
  if (cfg.parts.has("trends")) {
    console.log(
      `\n1. Insights: QueryTrends through the engine (${cfg.apis.join(", ")}) vs createTrendsQuery in-process over the same ClickHouse store, ` +
        `same request, default project. Interleaved after ${timing.warmup} warm-up rounds: up to ${timing.samples} pairs per figure, fewer past ` +
        `${timing.budgetMs / 1000} s (never under ${timing.minSamples}); target API / direct p50 ≤ ${apiTarget}×.\n`,
    );
    console.log(resultTable(rows));
    for (const n of notes(rows)) console.log(n);
  }
  if (cfg.parts.has("first-load")) {
    console.log(`\n2. Dashboard first load (target: every tile's p50 ≤ ${tileTargetMs} ms while the whole screen loads)`);
    console.log(firstLoadLines.join("\n"));
  }
  if (cfg.parts.has("bundle")) console.log(`\n3. ${bundleReport().join("\n")}`);
  const pass = rows.filter((r) => r.pass).length + verdicts.pass;
  const below = rows.length - rows.filter((r) => r.pass).length + verdicts.below;
  console.log(`\n${pass} PASS, ${below} BELOW-TARGET; run took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return failed ? 1 : 0;
}

main().then(
  (code) => exitAfterCleanup(code),
  (e: unknown) => {
    console.error(e);
    return exitAfterCleanup(1);
  },
);
