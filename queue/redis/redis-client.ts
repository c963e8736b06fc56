import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";

/** One Redis server, or a Redis Cluster through ioredis's Cluster client: both take the same commands. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: a URL, and the seed nodes when it is a cluster (the configuration's REDIS_URL, REDIS_CLUSTER_NODES). */
export interface RedisTarget {
  url: string;
  clusterNodes?: readonly string[];
}

export function redisTarget(config: { redisUrl: string | undefined; redisClusterNodes: readonly string[] | undefined }): RedisTarget | undefined {
  return config.redisUrl ? { url: config.redisUrl, clusterNodes: config.redisClusterNodes } : undefined;
}

export interface RedisClientOptions {
  autoPipelining?: boolean;
  commandTimeoutMs?: number;
  offlineQueue?: boolean;
  /** Give up on a connection that fails instead of retrying (one-shot tools and locks). */
  noRetry?: boolean;
  lazyConnect?: boolean;
}

/**
 * A Redis client for the hot path: commands from concurrent requests are
 * pipelined automatically, and while Redis is down commands fail at once
 * (no offline queue, no replays) so callers answer 503 instead of hanging.
 * It reconnects by itself and logs once per state change, not per retry.
 */
export function createRedisClient(target: RedisTarget, logger: Logger, name = "redis", opts: RedisClientOptions = {}): RedisClient {
  const retry = (times: number) => (opts.noRetry ? null : Math.min(100 * 2 ** Math.min(times, 4), 1000));
  const options: RedisOptions = {
    enableAutoPipelining: opts.autoPipelining ?? true,
    enableOfflineQueue: opts.offlineQueue ?? false,
    maxRetriesPerRequest: opts.noRetry ? 1 : 0,
    // A stuck Redis must not hang requests; the worker sets it above its blocking-read time.
    commandTimeout: opts.commandTimeoutMs ?? 5000,
    connectTimeout: 5000,
    lazyConnect: opts.lazyConnect,
    retryStrategy: retry,
  };
  const redis: RedisClient = target.clusterNodes?.length ? clusterClient(target.clusterNodes, options, retry) : new Redis(target.url, options);
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

/** The nodes' credentials (from the first seed URL) hold for every node the cluster reports. */
function clusterClient(nodes: readonly string[], options: RedisOptions, retry: (times: number) => number | null): Cluster {
  const seed = new URL(nodes[0]);
  const { enableAutoPipelining, enableOfflineQueue, lazyConnect, ...perNode } = options;
  return new Cluster(
    nodes.map((n) => ({ host: new URL(n).hostname, port: Number(new URL(n).port || 6379) })),
    {
      enableAutoPipelining,
      enableOfflineQueue,
      lazyConnect,
      clusterRetryStrategy: retry,
      redisOptions: {
        ...perNode,
        username: seed.username ? decodeURIComponent(seed.username) : undefined,
        password: seed.password ? decodeURIComponent(seed.password) : undefined,
        tls: seed.protocol === "rediss:" ? {} : undefined,
      },
    },
  );
}
