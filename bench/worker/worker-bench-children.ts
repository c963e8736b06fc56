/**
 * The real server (main/server-main.ts, INPROCESS_WORKER=false) and the real
 * standalone worker (main/worker-main.ts) as child processes, as they run
 * in production. Their logs go to stderr so stdout keeps only the report.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

export interface Child {
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Settings the bench must not inherit from the caller's shell (the children use the engine's defaults). */
const stripped = ["PORT", "HOST", "WORKER_LINGER_MS", "WORKER_BATCH_SIZE", "INPROCESS_WORKER", "REDIS_QUEUE", "DATABASE_TYPE", "CLICKHOUSE_DB"];

export function spawnEntry(entry: "main/server-main.ts" | "main/worker-main.ts", env: Record<string, string>): Child {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !stripped.includes(k)));
  const child = spawn(process.execPath, ["--import", "tsx", entry], { cwd: repoRoot, env: { ...base, ...env }, stdio: ["ignore", 2, 2] });
  live.add(child);
  const exited = new Promise<void>((r) => {
    child.once("exit", () => r());
    child.once("error", () => r());
  }).finally(() => live.delete(child));
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM"); // both entries drain and exit on SIGTERM
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * True once the worker has created its consumer group (after its database
 * migration, right before its read loop). Redis 7.0 lists a consumer only once
 * it has received entries, so the group is the signal.
 */
export async function workerGroupExists(redis: Redis, key: string, group: string): Promise<boolean> {
  const groups = (await redis.xinfo("GROUPS", key)) as unknown[][];
  return groups.some((g) => g[g.indexOf("name") + 1] === group);
}
