import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { JsonObject } from "@bufbuild/protobuf";
import { v7 as uuidv7 } from "uuid";
import { encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { benchWriteKey } from "../shared/bench-keys.js";

/** Everything the bench can be tuned with, from the environment. */
export interface BenchConfig {
  seconds: number;
  rounds: number;
  warmupSeconds: number;
  connections: number;
  batchSize: number;
  unaryCallers: number;
  streams: number;
  streamMessageEvents: number;
  restBatchConnections: number;
  pipeline: number;
  redisUrl: string;
  cpuProfile: boolean;
  runId: string;
}

function num(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name}=${raw}: expected a number in [${min}, ${max}]`);
  return n;
}

export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const seconds = num(env, "BENCH_SECONDS", 10, 1, 120);
  return {
    seconds,
    rounds: num(env, "BENCH_ROUNDS", 3, 1, 9),
    warmupSeconds: num(env, "BENCH_WARMUP_SECONDS", Math.min(3, seconds), 0, 30),
    connections: num(env, "BENCH_CONNECTIONS", 50, 1, 1000),
    batchSize: num(env, "BENCH_BATCH", 200, 1, 1000),
    unaryCallers: num(env, "BENCH_CALLERS", 8, 1, 256),
    streams: num(env, "BENCH_STREAMS", 4, 1, 64),
    streamMessageEvents: num(env, "BENCH_STREAM_MSG", 100, 1, 1000),
    restBatchConnections: num(env, "BENCH_BATCH_CONNECTIONS", 8, 1, 256),
    pipeline: num(env, "BENCH_PIPELINE", 500, 1, 10_000),
    redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    cpuProfile: env.BENCH_CPU_PROF === "1",
    runId: randomUUID().slice(0, 8),
  };
}

/** The event every request carries (a typical page view with a nested property). */
export const sampleEvent = {
  event: "page_view",
  distinctId: "u1",
  properties: {
    path: "/pricing",
    referrer: "https://www.google.com/",
    title: "Pricing - InsightPlus",
    plan: "team",
    screen: { width: 1440, height: 900 },
  } satisfies JsonObject,
};

/** The protobuf bytes the server would queue for sampleEvent (what the ceilings XADD). */
export function sampleEventBytes(): Buffer {
  const now = Date.now();
  const u8 = encodeQueuedEvent({
    projectId: "default",
    uuid: uuidv7(),
    event: sampleEvent.event,
    distinctId: sampleEvent.distinctId,
    propertiesJson: JSON.stringify(sampleEvent.properties),
    timestampMs: now,
    receivedAtMs: now,
    timestampClamped: false,
  });
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Stream keys of one run; all are deleted at the end. */
export function streamKeys(runId: string) {
  return {
    server: `bench:capture:${runId}:server`,
    bare: `bench:capture:${runId}:bare`,
    ceiling: `bench:capture:${runId}:ceiling`,
    limited: `bench:capture:${runId}:limited`,
  };
}

/** A posthog-node flush: `{api_key, batch, sent_at}` of `n` events like sampleEvent, gzip'd as posthog-node sends it. */
export function postHogBatchBody(n: number): Buffer {
  const now = new Date().toISOString();
  const batch = Array.from({ length: n }, () => ({
    distinct_id: sampleEvent.distinctId,
    event: sampleEvent.event,
    properties: { ...sampleEvent.properties, $lib: "posthog-node", $lib_version: "5.74.0" },
    timestamp: now,
  }));
  return gzipSync(JSON.stringify({ api_key: benchWriteKey, batch, sent_at: now }));
}
