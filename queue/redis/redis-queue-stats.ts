import type { Logger } from "pino";
import type { Config } from "../../core/config/config.js";
import type { PartitionStats } from "../../core/metrics/engine-metrics.js";
import { layoutInUse } from "./partition-count.js";
import { createRedisClient, type RedisClient, redisTarget } from "./redis-client.js";
import { emptyIfNotStream } from "./redis-errors.js";
import { legacySource, type StreamLayout, streamLayoutOf } from "./stream-layout.js";
import { toRecord } from "./stream-trimmer.js";

/** Each partition's length, the group's pending entries and lag, and its dead letters: one round trip per node. */
export function createRedisQueueStats(redis: RedisClient, layout: StreamLayout, group: string): () => Promise<PartitionStats[]> {
  return async () => {
    const { sources } = await layoutInUse(redis, layout);
    const stats = await Promise.all(
      sources.map(async (s): Promise<PartitionStats> => {
        const [length, groups, deadLetters] = await Promise.all([
          redis.xlen(s.streamKey).catch(emptyIfNotStream(0)),
          (redis.xinfo("GROUPS", s.streamKey) as Promise<unknown[][]>).catch(() => []),
          redis.xlen(s.deadLetterKey).catch(emptyIfNotStream(0)),
        ]);
        const ours = groups.map(toRecord).find((g) => g.name === group);
        // XINFO's lag: Redis 7 and later, when it can tell (nil after some deletions); the older ones say nothing.
        const lag = typeof ours?.lag === "number" ? ours.lag : undefined;
        return { partition: s.name, length, pending: Number(ours?.pending ?? 0), lag, deadLetters };
      }),
    );
    // The single-stream layout's key, only while it holds something.
    return stats.filter((s) => s.partition !== legacySource || s.length > 0 || (s.deadLetters ?? 0) > 0);
  };
}

/** The queue's state on a connection of its own, for a separate worker's /metrics. */
export function openRedisQueueStats(config: Config, logger: Logger): { stats: () => Promise<PartitionStats[]>; close(): void } {
  const redis = createRedisClient(redisTarget(config)!, logger, "metrics-redis", { autoPipelining: false });
  return { stats: createRedisQueueStats(redis, streamLayoutOf(config), config.worker.group), close: () => redis.disconnect() };
}
