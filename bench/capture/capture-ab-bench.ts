/**
 * Two engines side by side on one machine, measured in alternation: the
 * server CPU per request / per event of each, for REST single events, REST
 * batches and gRPC CaptureEvents. On a VM whose speed drifts between minutes,
 * alternating short runs (A B B A …) compares two versions better than two
 * runs of bench:capture minutes apart.
 *   BENCH_BASELINE_ROOT=/path/to/other/checkout npm run bench:capture-ab
 * Env: BENCH_CANDIDATE_ROOT / BENCH_CANDIDATE_ENTRY (this tree), BENCH_SECONDS (5 per run) BENCH_PAIRS (5) BENCH_PHASES (rest-single,rest-batch,grpc-batch); REDIS_URL (redis://127.0.0.1:6379)
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { freePort } from "../../test/support/ports.js";
import { waitUntil } from "../../test/support/wait.js";
import { commandLine, machineSummary } from "../shared/bench-header.js";
import { benchKeyEnv } from "../shared/bench-keys.js";
import { median } from "../shared/measure.js";
import { processCpuMicros } from "../shared/proc-stats.js";
import { table } from "../shared/report.js";
import { streamKeysOf } from "../shared/stream-keys.js";
import { sampleEvent } from "./bench-config.js";
import { restLoad } from "./rest-load.js";
import { unaryBatchLoad } from "./rpc-load.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const pairs = Number(process.env.BENCH_PAIRS ?? 5);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const here = fileURLToPath(new URL("../..", import.meta.url));
const engines = [
  { name: "baseline", root: process.env.BENCH_BASELINE_ROOT ?? here, entry: process.env.BENCH_BASELINE_ENTRY ?? "main/server-main.ts" },
  // The candidate is this tree unless named (swapping the two checks the bench for a bias of place).
  { name: "candidate", root: process.env.BENCH_CANDIDATE_ROOT ?? here, entry: process.env.BENCH_CANDIDATE_ENTRY ?? "main/server-main.ts" },
];

async function start(e: (typeof engines)[number], i: number) {
  const port = await freePort();
  const env = {
    ...process.env,
    REDIS_URL: redisUrl,
    REDIS_QUEUE: `bench:ab:${process.pid}:${i}`,
    INPROCESS_WORKER: "false",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    BACKLOG_WATERMARK: "1000000000000",
    ...benchKeyEnv,
    // Rate limits have a figure of their own (bench:capture): both checkouts run without.
    RATE_LIMIT_PER_ADDRESS: "0",
    RATE_LIMIT_PER_KEY: "0",
  };
  const child = spawn(process.execPath, ["--import", "tsx", e.entry], { cwd: e.root, env, stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  // Able to take events: /readyz/capture, or /readyz on a checkout from before it (no database here).
  const ready = async () => {
    const capture = await fetch(`${url}/readyz/capture`);
    return capture.status === 404 ? (await fetch(`${url}/readyz`)).ok : capture.ok;
  };
  await waitUntil(`${e.name} engine`, ready, { timeoutMs: 60_000 });
  return { ...e, url, child, queue: env.REDIS_QUEUE };
}

const allPhases = {
  "REST single (µs/request)": (url: string) => restLoad(`${url}/api/v1/capture`, { body: JSON.stringify(sampleEvent), connections: 50, seconds }),
  "REST batch 200 (µs/event)": (url: string) =>
    restLoad(`${url}/api/v1/batch`, {
      body: JSON.stringify({ events: Array.from({ length: 200 }, (_, i) => ({ ...sampleEvent, distinctId: `u${i}` })) }),
      connections: 8,
      seconds,
      eventsPerRequest: 200,
    }),
  "gRPC CaptureEvents 200 (µs/event)": (url: string) => unaryBatchLoad(url, { callers: 8, batchSize: 200, seconds }),
};

// BENCH_PHASES=rest-single,rest-batch,grpc-batch: only those.
const wanted = process.env.BENCH_PHASES?.split(",").map((p) => p.trim());
const phaseKeys = ["rest-single", "rest-batch", "grpc-batch"];
const phases = Object.fromEntries(Object.entries(allPhases).filter((_, i) => !wanted || wanted.includes(phaseKeys[i])));

async function main() {
  console.log(commandLine("bench/capture/capture-ab-bench.ts"));
  console.log(`machine: ${machineSummary()}`);
  // Every run's events are deleted after it: left in the stream, they add up to gigabytes in Redis.
  const redis = new Redis(redisUrl);
  const micros: Record<string, number[][]> = Object.fromEntries(Object.keys(phases).map((p) => [p, [[], []]]));
  // Fresh processes every pair: the same code in two processes differed by up to 16% (JIT and placement luck),
  // so each figure is a median over as many processes as pairs.
  for (let p = 0; p < pairs; p++) {
    const running = await Promise.all(engines.map((e, k) => start(e, p * 2 + k)));
    try {
      for (const [phase, load] of Object.entries(phases)) {
        for (const s of running) {
          await load(s.url); // warm-up
          await redis.del(...streamKeysOf(s.queue));
        }
        for (const k of p % 2 === 0 ? [0, 1] : [1, 0]) {
          const s = running[k];
          const c0 = processCpuMicros(s.child.pid!);
          const r = await load(s.url);
          micros[phase][k].push((processCpuMicros(s.child.pid!) - c0) / Math.max(1, r.units));
          await redis.del(...streamKeysOf(s.queue));
        }
      }
    } finally {
      for (const s of running) s.child.kill("SIGTERM");
      await Promise.all(running.map((s) => new Promise((r) => (s.child.exitCode !== null ? r(undefined) : s.child.once("exit", r)))));
    }
    console.error(
      `[capture-ab] pair ${p + 1}: ${Object.entries(micros)
        .map(([ph, [a, b]]) => `${ph} ${a.at(-1)!.toFixed(1)} vs ${b.at(-1)!.toFixed(1)}`)
        .join("; ")}`,
    );
  }
  redis.disconnect();
  console.log(
    table(
      ["figure", `baseline (${engines[0].root})`, `candidate (${engines[1].root})`, "candidate / baseline"],
      Object.entries(micros).map(([phase, [a, b]]) => [phase, median(a).toFixed(2), median(b).toFixed(2), `${((median(b) / median(a)) * 100).toFixed(0)}%`]),
    ),
  );
  console.log(`server CPU per unit, median over ${pairs} pairs of fresh processes, ${seconds} s a run, alternating; lower is better`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
