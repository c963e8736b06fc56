/**
 * Capture throughput bench: the real server next to its ceilings, measured
 * side by side in one run on this machine, reported as ratios.
 *   npx tsx bench/capture/capture-bench.ts        (npm run bench:capture)
 * Env: BENCH_SECONDS (10) BENCH_ROUNDS (3) BENCH_WARMUP_SECONDS (3) BENCH_CONNECTIONS (50) BENCH_BATCH (200)
 *      BENCH_CALLERS (8) BENCH_STREAMS (4) BENCH_STREAM_MSG (100) BENCH_PIPELINE (500) BENCH_BATCH_CONNECTIONS (8)
 *      BENCH_CPU_PROF=1 (profile the server child over the whole run, summarized at the end) REDIS_URL
 */
import { mkdtemp, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { type BenchChild, spawnChild } from "../shared/children.js";
import { exitAfterCleanup, guardRun, onCleanup } from "../shared/lifecycle.js";
import { backgroundCores, type LoadResult, measured, type Sample, summarize } from "../shared/measure.js";
import { summarizeProfile } from "../shared/profile-summary.js";
import { cpuTable, errorNotes, resultsTable } from "../shared/report.js";
import { streamKeysOf, streamsLength } from "../shared/stream-keys.js";
import { postHogBatchBody, readBenchConfig, sampleEvent, sampleEventBytes, streamKeys } from "./bench-config.js";
import { pipelinedXadd } from "./redis-ceiling.js";
import { restLoad } from "./rest-load.js";
import { clientStreamLoad, unaryBatchLoad } from "./rpc-load.js";

const cfg = readBenchConfig();
const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function main() {
  const phaseSeconds = cfg.rounds * 6 * cfg.seconds + 6 * cfg.warmupSeconds;
  guardRun((phaseSeconds * 1.5 + 120) * 1000);
  const cpu = os.cpus();
  const cmd = [
    ...Object.entries(process.env)
      .filter(([n]) => n.startsWith("BENCH_"))
      .map(([n, v]) => `${n}=${v}`),
    "npx tsx bench/capture/capture-bench.ts",
  ];
  console.log(`command: ${cmd.join(" ")}`);
  console.log(`machine: ${cpu[0]?.model ?? "?"}, ${cpu.length} cores, node ${process.version}, ${os.platform()} ${os.release()}`);
  console.log(
    `settings: ${cfg.seconds} s per measurement, ${cfg.rounds} rounds (median), REST ${cfg.connections} connections; ` +
      `unary batch ${cfg.batchSize} events × ${cfg.unaryCallers} callers; ${cfg.streams} streams × ${cfg.streamMessageEvents}-event messages; ` +
      `ceiling pipeline ${cfg.pipeline}; REST batch ${cfg.batchSize} events × ${cfg.restBatchConnections} connections`,
  );

  const idle = await backgroundCores();
  console.log(
    `background load before the run: ${idle.toFixed(2)} of ${cpu.length} cores busy${idle > 0.3 ? " (other processes: expect noisier figures)" : ""}\n`,
  );
  const keys = streamKeys(cfg.runId);
  const redis = new Redis(cfg.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  await redis.connect();
  onCleanup("redis stream keys", async () => {
    await redis.unlink(...Object.values(keys));
    await redis.quit();
  });
  const partitions = Number(process.env.QUEUE_PARTITIONS ?? 16);
  const wipe = (key: string) => redis.unlink(...streamKeysOf(key, partitions));

  const profDir = cfg.cpuProfile ? await mkdtemp(path.join(os.tmpdir(), "insightplus-bench-prof-")) : undefined;
  const env = { REDIS_URL: cfg.redisUrl };
  const server = await spawnChild("server", new URL("./server-child.ts", import.meta.url), { ...env, REDIS_QUEUE: keys.server }, { cpuProfDir: profDir });
  onCleanup("server child", () => server.stop());
  const bare = await spawnChild("bare-route", new URL("./bare-route-child.ts", import.meta.url), { ...env, REDIS_QUEUE: keys.bare });
  onCleanup("bare-route child", () => bare.stop());
  // The same server with rate limits counted in Redis (limits too high to refuse anything): what counting costs.
  const never = "1000000000000";
  const limited = await spawnChild("server-limited", new URL("./server-child.ts", import.meta.url), {
    ...env,
    REDIS_QUEUE: keys.limited,
    RATE_LIMIT_PER_ADDRESS: never,
    RATE_LIMIT_PER_KEY: never,
  });
  onCleanup("rate-limited server child", () => limited.stop());
  log(`server child on :${server.port}, bare-route child on :${bare.port}, stream keys bench:capture:${cfg.runId}:*`);

  const one = JSON.stringify(sampleEvent);
  const batchBody = JSON.stringify({ events: Array.from({ length: cfg.batchSize }, () => sampleEvent) });
  const rest =
    (c: BenchChild, s: number, keyless = false) =>
    () =>
      restLoad(`${c.url}/api/v1/capture`, { body: one, connections: cfg.connections, seconds: s, keyless });
  const restBatch = (s: number) => () =>
    restLoad(`${server.url}/api/v1/batch`, { body: batchBody, connections: cfg.restBatchConnections, seconds: s, eventsPerRequest: cfg.batchSize });
  const unary = (s: number) => () => unaryBatchLoad(server.url, { callers: cfg.unaryCallers, batchSize: cfg.batchSize, seconds: s });
  // posthog-node's flush (100 events, its maxBatchSize) to PostHog's /batch/, gzip'd, the token in the body.
  const postHogBody = postHogBatchBody(100);
  const postHog = (s: number) => () =>
    restLoad(`${server.url}/batch/`, {
      body: postHogBody,
      connections: cfg.restBatchConnections,
      seconds: s,
      eventsPerRequest: 100,
      keyless: true,
      headers: { "content-encoding": "gzip" },
    });
  const stream = (s: number) => () =>
    clientStreamLoad(server.url, { streams: cfg.streams, eventsPerMessage: cfg.streamMessageEvents, messagesPerStream: 200, seconds: s });
  const bytes = sampleEventBytes();
  const ceiling = (s: number) => () => pipelinedXadd(redis, keys.ceiling, bytes, cfg.pipeline, s);

  const run = async (name: string, target: BenchChild | undefined, key: string, load: () => Promise<LoadResult>): Promise<Sample> => {
    const s = await measured(target, redis, load);
    const inStream = await streamsLength(redis, key, partitions); // every event counted as accepted must be in the streams
    if (inStream < s.units) log(`WARNING ${name}: counted ${s.units} accepted but the stream holds ${inStream}`);
    await wipe(key);
    log(`${name}: ${s.rate.toFixed(0)}/s${s.p99Ms !== undefined ? `, p99 ${s.p99Ms} ms` : ""}${s.errors ? `, ${s.errors} errors` : ""}`);
    return s;
  };

  if (cfg.warmupSeconds > 0) {
    log(`warming up (${cfg.warmupSeconds} s each, not counted)`);
    const w = cfg.warmupSeconds;
    await run("warmup bare", bare, keys.bare, rest(bare, w));
    await run("warmup server REST", server, keys.server, rest(server, w));
    await run("warmup server REST keyless", server, keys.server, rest(server, w, true));
    await run("warmup rate-limited server REST", limited, keys.limited, rest(limited, w));
    await run("warmup server unary", server, keys.server, unary(w));
    await run("warmup server stream", server, keys.server, stream(w));
    await run("warmup server REST batch", server, keys.server, restBatch(w));
    await run("warmup server PostHog /batch/", server, keys.server, postHog(w));
    await run("warmup ceiling", undefined, keys.ceiling, ceiling(w));
  }

  const S = {
    bare: [] as Sample[],
    rest: [] as Sample[],
    keyless: [] as Sample[],
    limited: [] as Sample[],
    ceiling: [] as Sample[],
    unary: [] as Sample[],
    stream: [] as Sample[],
    restBatch: [] as Sample[],
    postHog: [] as Sample[],
  };
  for (let r = 1; r <= cfg.rounds; r++) {
    S.bare.push(await run(`round ${r} bare route`, bare, keys.bare, rest(bare, cfg.seconds)));
    // With and without the key in turn, the order swapped each round.
    const pair = [
      () => run(`round ${r} server REST, write key`, server, keys.server, rest(server, cfg.seconds)).then((x) => void S.rest.push(x)),
      () => run(`round ${r} server REST, keyless`, server, keys.server, rest(server, cfg.seconds, true)).then((x) => void S.keyless.push(x)),
    ];
    for (const go of r % 2 ? pair : pair.reverse()) await go();
    S.limited.push(await run(`round ${r} rate-limited server REST`, limited, keys.limited, rest(limited, cfg.seconds)));
  }
  await bare.stop();
  await limited.stop();
  const batchPhases: [keyof typeof S, string, BenchChild | undefined, string, (s: number) => () => Promise<LoadResult>][] = [
    ["ceiling", "pipelined XADD ceiling", undefined, keys.ceiling, ceiling],
    ["unary", "server CaptureEvents", server, keys.server, unary],
    ["stream", "server CaptureBatch stream", server, keys.server, stream],
    ["restBatch", "server REST batch", server, keys.server, restBatch],
    ["postHog", "server PostHog gzip /batch/", server, keys.server, postHog],
  ];
  for (let r = 1; r <= cfg.rounds; r++) {
    for (let i = 0; i < batchPhases.length; i++) {
      const [slot, name, target, key, load] = batchPhases[(i + r - 1) % batchPhases.length]; // rotate the order each round
      S[slot].push(await run(`round ${r} ${name}`, target, key, load(cfg.seconds)));
    }
  }
  await server.stop();

  const sum = Object.fromEntries(Object.entries(S).map(([n, s]) => [n, summarize(s)])) as Record<keyof typeof S, ReturnType<typeof summarize>>;
  const pipe = `pipelined XADD (${cfg.pipeline}/trip)`;
  console.log(
    resultsTable([
      {
        figure: `REST capture req/s (${cfg.connections} conns)`,
        value: sum.rest,
        ceilingName: "bare Fastify + XADD",
        ceiling: sum.bare,
        kind: "rate",
        target: 0.7,
      },
      {
        figure: "REST capture req/s with a write key",
        value: sum.rest,
        ceilingName: "keyless, same server",
        ceiling: sum.keyless,
        kind: "rate",
        target: 0.95,
      },
      {
        figure: "REST capture req/s, rate limits counted in Redis",
        value: sum.limited,
        ceilingName: "no rate limits",
        ceiling: sum.rest,
        kind: "rate",
        target: 0,
      },
      {
        figure: `REST capture p99 (${cfg.connections} conns)`,
        value: sum.rest,
        ceilingName: "bare Fastify + XADD",
        ceiling: sum.bare,
        kind: "p99",
        target: 0.7,
      },
      {
        figure: `gRPC CaptureEvents ev/s (${cfg.batchSize}×${cfg.unaryCallers})`,
        value: sum.unary,
        ceilingName: pipe,
        ceiling: sum.ceiling,
        kind: "rate",
        target: 0.5,
      },
      {
        figure: `gRPC CaptureBatch ev/s (${cfg.streams} streams×${cfg.streamMessageEvents})`,
        value: sum.stream,
        ceilingName: pipe,
        ceiling: sum.ceiling,
        kind: "rate",
        target: 0.5,
      },
      {
        figure: `PostHog gzip /batch/ ev/s (100×${cfg.restBatchConnections})`,
        value: sum.postHog,
        ceilingName: pipe,
        ceiling: sum.ceiling,
        kind: "rate",
        target: 0.4,
      },
      {
        figure: "PostHog gzip /batch/ ev/s vs the native batch RPC",
        value: sum.postHog,
        ceilingName: "gRPC CaptureEvents",
        ceiling: sum.unary,
        kind: "rate",
        target: 0,
      },
      {
        figure: `REST /api/v1/batch ev/s (${cfg.batchSize}×${cfg.restBatchConnections})`,
        value: sum.restBatch,
        ceilingName: pipe,
        ceiling: sum.ceiling,
        kind: "rate",
        target: 0.5,
      },
    ]),
  );
  console.log("Ratio: measured / ceiling (p99: ceiling / measured), higher is better; the verdict is on this.");
  console.log("CPU ratio: ceiling CPU µs per unit / measured CPU µs per unit of the working process (server or bare child;");
  console.log("  for the XADD ceiling, this process) — what the ratio would be if both were CPU-bound on one core; less disturbed by other load.\n");
  const phases = [
    { phase: "bare route REST", s: sum.bare, unit: "req" },
    { phase: "server REST capture", s: sum.rest, unit: "req" },
    { phase: "server REST keyless", s: sum.keyless, unit: "req" },
    { phase: "server REST + rate limits", s: sum.limited, unit: "req" },
    { phase: "pipelined XADD ceiling", s: sum.ceiling, unit: "ev" },
    { phase: "server CaptureEvents", s: sum.unary, unit: "ev" },
    { phase: "server CaptureBatch", s: sum.stream, unit: "ev" },
    { phase: "server REST batch", s: sum.restBatch, unit: "ev" },
    { phase: "server PostHog /batch/", s: sum.postHog, unit: "ev" },
  ];
  console.log(cpuTable(phases));
  console.log("(cores = CPU-seconds per wall second; client = this process: autocannon, the gRPC clients, the ceiling's ioredis;");
  console.log(" other procs = the whole machine minus those three; worker = the target child, or this process for the ceiling)");
  for (const note of errorNotes(phases)) console.log(note);
  if (profDir) {
    const file = (await readdir(profDir)).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)); // thread 0: the main thread
    console.log(`\nserver CPU profile: ${file ? path.join(profDir, file) : "(none written)"}`);
    if (file) console.log(await summarizeProfile(path.join(profDir, file)));
  }
}

main().then(
  () => exitAfterCleanup(0),
  (err: unknown) => {
    console.error("bench failed:", err instanceof Error ? err.stack : err);
    void exitAfterCleanup(1);
  },
);
