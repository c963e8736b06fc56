import os from "node:os";
import type { Redis } from "ioredis";
import type { BenchChild } from "./children.js";

/** What one load run produced: `units` are requests or events, whichever the figure counts. */
export interface LoadResult {
  units: number;
  seconds: number;
  errors: number;
  p99Ms?: number;
  firstError?: string;
}

/** A load run plus the CPU each party used during it, in cores (CPU-seconds per wall second). */
export interface Sample extends LoadResult {
  rate: number;
  /** `machine`: every process on the box, so `machine - target - client - redis` is outside interference. */
  cores: { target: number | undefined; client: number; redis: number; machine: number };
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const field = (name: string) => Number(info.match(new RegExp(`^${name}:([\\d.]+)`, "m"))?.[1] ?? 0);
  return field("used_cpu_user") + field("used_cpu_sys");
}

/** Busy CPU time of the whole machine so far, in seconds. */
function machineCpuSeconds(): number {
  return os.cpus().reduce((t, c) => t + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0) / 1000;
}

function processCpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Runs `load` and records the CPU used by the process under test, this process (the client) and Redis. */
export async function measured(target: BenchChild | undefined, redis: Redis, load: () => Promise<LoadResult>): Promise<Sample> {
  const before = {
    target: await target?.cpuMicros(),
    client: processCpuMicros(),
    redis: await redisCpuSeconds(redis),
    machine: machineCpuSeconds(),
    at: performance.now(),
  };
  const r = await load();
  const wall = (performance.now() - before.at) / 1000;
  const targetAfter = await target?.cpuMicros();
  const client = processCpuMicros();
  const redisAfter = await redisCpuSeconds(redis);
  const machine = machineCpuSeconds();
  return {
    ...r,
    rate: r.seconds > 0 ? r.units / r.seconds : 0,
    cores: {
      target: targetAfter !== undefined && before.target !== undefined ? (targetAfter - before.target) / 1e6 / wall : undefined,
      client: (client - before.client) / 1e6 / wall,
      redis: (redisAfter - before.redis) / wall,
      machine: (machine - before.machine) / wall,
    },
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of every numeric figure across rounds (each round's sample measured side by side with its ceiling). */
export function summarize(samples: Sample[]) {
  const pick = (f: (s: Sample) => number | undefined) => {
    const xs = samples.map(f).filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  return {
    rate: pick((s) => s.rate)!,
    rates: samples.map((s) => s.rate),
    p99Ms: pick((s) => s.p99Ms),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    firstError: samples.find((s) => s.firstError)?.firstError,
    /** CPU µs per unit of the process doing the work (the target, or this process for the XADD ceiling). */
    workerMicrosPerUnit: pick((s) => (s.rate > 0 ? ((s.cores.target ?? s.cores.client) * 1e6) / s.rate : undefined)),
    cores: {
      target: pick((s) => s.cores.target),
      client: pick((s) => s.cores.client)!,
      redis: pick((s) => s.cores.redis)!,
      machine: pick((s) => s.cores.machine)!,
    },
  };
}
export type Summary = ReturnType<typeof summarize>;

/** Cores other processes keep busy while the bench is idle (sampled for `ms`): a noise warning. */
export async function backgroundCores(ms = 2000): Promise<number> {
  const before = machineCpuSeconds();
  await new Promise((r) => setTimeout(r, ms));
  return (machineCpuSeconds() - before) / (ms / 1000);
}
