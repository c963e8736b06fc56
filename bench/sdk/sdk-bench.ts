/**
 * SDK bench: browser bundle size next to its 8 KB target, Node capture() cost
 * per call, events/s the Node client delivers to a local server per transport,
 * and memory with the server down over 1M captures.
 *   npx tsx bench/sdk/sdk-bench.ts
 * Env: BENCH_SDK_EVENTS (100000 per delivery run) BENCH_SDK_ROUNDS (3) BENCH_SDK_CAPTURES (1000000) REDIS_URL
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { build } from "esbuild";
import { Redis } from "ioredis";
import { browserBundleOptions } from "../../sdk/scripts/build.mjs";
import { init, type NodeTransportChoice } from "../../sdk/src/node/index.js";
import { startLocalRedis } from "../../test/support/services/index.js";
import { commandLine, machineSummary } from "../shared/bench-header.js";
import { benchWriteKey } from "../shared/bench-keys.js";
import { spawnChild } from "../shared/children.js";
import { exitAfterCleanup, guardRun, onCleanup } from "../shared/lifecycle.js";
import { streamKeysOf, streamsLength } from "../shared/stream-keys.js";

const events = Number(process.env.BENCH_SDK_EVENTS ?? 100_000);
const rounds = Number(process.env.BENCH_SDK_ROUNDS ?? 3);
const log = (msg: string) => console.error(`[sdk-bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function bundleSize() {
  const result = await build({ ...browserBundleOptions(), write: false, outfile: "bundle.js" });
  const code = result.outputFiles![0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, brotli: brotliCompressSync(code).length };
}

/** ns per capture() call, queue drained between rounds by a transport that answers at once (no network). */
async function captureCost() {
  const client = init({
    host: "http://127.0.0.1:9",
    transport: { send: async () => ({ kind: "ok", rejected: [] }) },
    flushAt: Number.MAX_SAFE_INTEGER,
    flushIntervalMs: 3_600_000,
    maxQueueSize: 100_000,
    maxQueueBytes: 1e9,
    flushOnExit: false,
  });
  const n = 50_000;
  const props = { path: "/pricing", referrer: "https://example.com/", plan: "free" };
  const samples: number[] = [];
  for (let r = 0; r < 12; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) client.capture("page_view", props);
    if (r >= 2) samples.push(Number(process.hrtime.bigint() - t) / n); // two warm-up rounds
    await client.flush();
  }
  await client.shutdown({ timeoutMs: 100 });
  return median(samples);
}

/** What a plain `new Date().toISOString()` costs here now: a yardstick for the capture() figure on a busy machine. */
function yardstick(): number {
  const n = 200_000;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) new Date(Date.now() + i).toISOString();
  return Number(process.hrtime.bigint() - t) / n;
}

async function delivery(url: string, redis: Redis, streamKey: string, transport: NodeTransportChoice) {
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await redis.del(...streamKeysOf(streamKey));
    const client = init({ host: url, apiKey: benchWriteKey, transport, maxQueueSize: events, maxQueueBytes: 1e9, flushIntervalMs: 60_000 });
    const props = { path: "/pricing", referrer: "https://example.com/", plan: "free" };
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < events; i++) client.capture("page_view", props, { distinctId: `user-${i % 1000}` });
    const { pending } = await client.flush();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / events);
    const stored = await streamsLength(redis, streamKey);
    await client.shutdown({ timeoutMs: 1000 });
    if (pending || stored !== events) throw new Error(`${transport}: ${pending} pending, ${stored}/${events} in the stream`);
    samples.push(events / seconds);
  }
  return { rate: median(samples), cpuMicros: median(cpu) };
}

async function main() {
  guardRun(15 * 60_000);
  const cpu = os.cpus();
  console.log(commandLine("bench/sdk/sdk-bench.ts", "BENCH_SDK"));
  console.log(`machine: ${machineSummary()}, ${os.platform()} ${os.release()}`);
  const load = os.loadavg()[0];
  console.log(
    `load average at start: ${load.toFixed(2)} on ${cpu.length} cores${load > cpu.length * 0.5 ? " (other processes busy: expect slower, noisier figures)" : ""}\n`,
  );

  log("bundle size");
  const size = await bundleSize();
  log("capture() cost");
  const ns = await captureCost();
  const iso = yardstick();

  log("memory with the server down (child process)");
  const memory = JSON.parse(
    execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "bench/sdk-bench-memory.ts"], { encoding: "utf8", env: process.env })
      .trim()
      .split("\n")
      .at(-1)!,
  );

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const local = await startLocalRedis();
    onCleanup("redis", () => local.stop());
    redisUrl = local.url;
  }
  const streamKey = `bench:sdk:${randomUUID()}`;
  const redis = new Redis(redisUrl);
  onCleanup("stream", async () => {
    await redis.del(...streamKeysOf(streamKey));
    redis.disconnect();
  });
  const server = await spawnChild("server", new URL("../capture/server-child.ts", import.meta.url), { REDIS_URL: redisUrl, REDIS_QUEUE: streamKey });
  onCleanup("server", () => server.stop());
  const rates: [string, { rate: number; cpuMicros: number }][] = [];
  for (const t of ["grpc", "grpc-stream", "connect", "json"] as const) {
    log(`delivery over ${t}`);
    rates.push([t, await delivery(server.url, redis, streamKey, t)]);
  }

  const rows: [string, string][] = [
    ["browser bundle, minified", `${fmt(size.min)} B`],
    ["browser bundle, min + gzip -9", `${fmt(size.gzip)} B (${((size.gzip / 8192) * 100).toFixed(0)}% of the 8 KB target)`],
    ["browser bundle, min + brotli", `${fmt(size.brotli)} B`],
    ["Node capture() per call", `${fmt(ns)} ns (${fmt(1e9 / ns)} captures/s; ${(ns / iso).toFixed(1)}× a new Date().toISOString() here: ${fmt(iso)} ns)`],
    ...rates.map(([t, r]): [string, string] => [
      `Node delivered to a local server, ${t}`,
      `${fmt(r.rate)} events/s, client CPU ${r.cpuMicros.toFixed(1)} µs/event (${fmt(events)} events, median of ${rounds})`,
    ]),
    [`server down, ${fmt(memory.captures)} captures`, `${fmt(memory.queued)} queued, ${fmt(memory.dropped)} reported dropped, ${memory.ms} ms`],
    ["  RSS before / after / peak", `${memory.rssBeforeMb} / ${memory.rssAfterMb} / ${memory.rssPeakMb} MB`],
    ["  heapUsed delta (after GC)", `${memory.heapUsedDeltaMb} MB`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  await exitAfterCleanup(0);
}

main().catch(async (e) => {
  console.error(e);
  await exitAfterCleanup(1);
});
