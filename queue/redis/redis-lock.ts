import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { sleep } from "../../core/backoff.js";
import { createRedisClient, type RedisTarget, redisTarget } from "./redis-client.js";

/** Deletes the lock only while it is still ours (a lock that expired may be someone else's now). */
const release = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const extend = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export type RunExclusively = <T>(run: () => Promise<T>) => Promise<T>;

/**
 * One process at a time across every server and worker sharing this Redis
 * (schema migrations at start-up: the server and each worker open the
 * database together). SET NX with an expiry renewed while `run` runs, so a
 * process that dies frees the lock within `ttlMs`. A Redis that cannot be
 * reached means one process at most is starting (nothing else could share
 * work without it), so `run` goes ahead, with a warning.
 */
export function createRedisLock(deps: { target: RedisTarget; key: string; logger: Logger; ttlMs?: number; waitMs?: number }): RunExclusively {
  const ttlMs = deps.ttlMs ?? 30_000;
  const waitMs = deps.waitMs ?? 30 * 60_000;
  return async (run) => {
    const quiet = deps.logger.child({}, { level: "silent" });
    const redis = createRedisClient(deps.target, quiet, "redis-lock", { autoPipelining: false, offlineQueue: true, noRetry: true, lazyConnect: true });
    try {
      await redis.connect();
    } catch (e) {
      deps.logger.warn({ err: (e as Error).message, lock: deps.key }, "Redis unreachable: going ahead without the lock");
      redis.disconnect();
      return run();
    }
    const token = randomUUID();
    try {
      const deadline = Date.now() + waitMs;
      let waited = false;
      while ((await redis.set(deps.key, token, "PX", ttlMs, "NX")) !== "OK") {
        if (Date.now() > deadline) throw new Error(`${deps.key} held by another process for over ${Math.round(waitMs / 60_000)} minutes`);
        if (!waited) deps.logger.info({ lock: deps.key }, "another process holds the lock; waiting");
        waited = true;
        await sleep(200 + Math.random() * 300);
      }
      const renew = setInterval(() => void redis.eval(extend, 1, deps.key, token, String(ttlMs)).catch(() => undefined), ttlMs / 3);
      try {
        return await run();
      } finally {
        clearInterval(renew);
        await redis.eval(release, 1, deps.key, token).catch(() => undefined);
      }
    } finally {
      redis.disconnect();
    }
  };
}

/** The lock schema migrations run under where processes share a Redis (REDIS_URL set); none otherwise (one process). */
export function migrationLock(
  config: { redisUrl: string | undefined; redisClusterNodes: readonly string[] | undefined; streamKey: string },
  logger: Logger,
): RunExclusively | undefined {
  const target = redisTarget(config);
  return target ? createRedisLock({ target, key: `${config.streamKey}:migrations`, logger }) : undefined;
}
