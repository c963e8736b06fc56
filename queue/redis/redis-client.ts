import { Redis } from "ioredis";
import type { Logger } from "pino";

/**
 * A Redis client for the hot path: commands from concurrent requests are
 * pipelined automatically, and while Redis is down commands fail at once
 * (no offline queue, no replays) so callers answer 503 instead of hanging.
 * It reconnects by itself and logs once per state change, not per retry.
 */
export function createRedisClient(
  url: string,
  logger: Logger,
  name = "redis",
  opts: { autoPipelining?: boolean; commandTimeoutMs?: number; offlineQueue?: boolean } = {},
): Redis {
  const redis = new Redis(url, {
    enableAutoPipelining: opts.autoPipelining ?? true,
    enableOfflineQueue: opts.offlineQueue ?? false,
    maxRetriesPerRequest: 0,
    // A stuck Redis must not hang requests; the worker sets it above its blocking-read time.
    commandTimeout: opts.commandTimeoutMs ?? 5000,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 4), 1000),
  });
  let state: "up" | "down" | "new" = "new";
  const log = logger.child({ component: name });
  redis.on("ready", () => {
    if (state !== "up") log.info("redis connected");
    state = "up";
  });
  redis.on("error", (err: Error) => {
    if (state !== "down") log.warn({ err: err.message }, "redis unreachable; retrying in the background");
    state = "down";
  });
  // On "reconnecting", not "close": a connection we close ourselves (disconnect, quit) closes without reconnecting.
  redis.on("reconnecting", () => {
    if (state === "up") log.warn("redis connection closed; reconnecting");
    if (state === "up") state = "down";
  });
  return redis;
}
