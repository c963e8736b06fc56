/**
 * CPU used per party during a timed section: this process, Redis (INFO cpu)
 * and, for servers the bench started itself, every process running under the
 * server's temp dir (ClickHouse; the postmaster and its backends). On a
 * saturated 2-core box, total CPU per event bounds the rate, so the ratio of
 * CPU costs is a noise-resistant companion to the wall-clock ratio.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { Redis } from "ioredis";

export type CpuProbe = () => Promise<Record<string, number>>;

const ticksPerSecond = 100; // USER_HZ on Linux

/** CPU seconds (own + reaped children) of every process whose cwd is under `dir`. */
export function cpuUnder(dir: string): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / ticksPerSecond;
    } catch {
      /* exited meanwhile, or not ours to read */
    }
  }
  return total;
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return field("used_cpu_user") + field("used_cpu_sys");
}

/** Cumulative CPU seconds of Redis and of the local database server (when the bench started it). */
export function cpuProbe(redis: Redis, server?: { name: string; dir: string }): CpuProbe {
  return async () => {
    const out: Record<string, number> = { redis: await redisCpuSeconds(redis).catch(() => NaN) };
    if (server && process.platform === "linux") out[server.name] = cpuUnder(server.dir);
    return out;
  };
}

/** µs per event of each party between two probe readings. */
export function perEvent(before: Record<string, number>, after: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((k) => [k, ((after[k] - before[k]) * 1e6) / n]));
}
