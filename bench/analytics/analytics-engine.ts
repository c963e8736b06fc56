import pino from "pino";
import { loadConfig } from "../../core/config/config.js";
import { startEngine as startEngineRuntime } from "../../main/engine-runtime.js";
import { benchKeyEnv } from "../shared/bench-keys.js";
import { onCleanup } from "../shared/lifecycle.js";
import { streamKeysOf } from "../shared/stream-keys.js";

export interface Engine {
  /** http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

/** Logs at warn and above to stderr, so the report on stdout stays clean. */
export const benchLogger = () => pino({ level: "warn" }, pino.destination(2));

/**
 * The engine as an API server runs in production (INPROCESS_WORKER=false,
 * Redis queue), in this process, on a free port; `env` selects the database.
 * Its stream key is this run's own and is deleted when it closes.
 */
export async function startEngine(env: Record<string, string>, redisUrl: string, runId: string): Promise<Engine> {
  const streamKey = `bench:analytics:${runId}`;
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    REDIS_URL: redisUrl,
    REDIS_QUEUE: streamKey,
    INPROCESS_WORKER: "false",
    ...benchKeyEnv,
    ...env,
  });
  const server = await startEngineRuntime(config, benchLogger());
  const url = `http://127.0.0.1:${server.address.port}`;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await server.close();
      const { Redis } = await import("ioredis");
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      await redis.del(...streamKeysOf(streamKey)).finally(() => redis.disconnect());
    })());
  onCleanup(`engine (${env.DATABASE_TYPE})`, close);
  for (let i = 0; ; i++) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.ok) break;
    if (i > 100) throw new Error(`engine at ${url} never became ready`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, close };
}

/** Runs `fn` at most once, however many times it is called (phase end and global cleanup). */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
