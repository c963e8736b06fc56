import { join } from "node:path";
import type { Logger } from "pino";
import { type KeyChangeChannel, noKeyChangeChannel } from "../core/access/key-change-channel.js";
import type { Config } from "../core/config/config.js";
import type { EventFeed } from "../core/events/event-feed.js";
import { redactUrl } from "../core/logger.js";
import type { PartitionStats } from "../core/metrics/engine-metrics.js";
import type { EventConsumer, EventPublisher } from "./event-queue.js";
import { openLocalQueue } from "./local/local-queue.js";
import { feedPublishedEvents } from "./published-feed.js";
import { createRedisClient, type RedisClient, redisTarget } from "./redis/redis-client.js";
import { openRedisConsumer } from "./redis/redis-consumer-open.js";
import { createRedisKeyChangeChannel } from "./redis/redis-key-change-channel.js";
import { createRedisQueueStats } from "./redis/redis-queue-stats.js";
import { createRedisStreamFeed } from "./redis/redis-stream-feed.js";
import { createRedisStreamPublisher } from "./redis/redis-stream-publisher.js";
import { streamLayoutOf } from "./redis/stream-layout.js";

export interface OpenedQueue {
  kind: "redis-stream" | "in-process";
  publisher: EventPublisher;
  /** The consuming side for a worker in this process. */
  openConsumer(): Promise<EventConsumer>;
  /** Resolves once nothing is left unacked, or the time is up (in-process queue), or at once (Redis keeps it). */
  drained(timeoutMs: number): Promise<void>;
  /** How every process learns that projects or keys changed (Redis pub/sub; nothing to tell in one process). */
  keyChanges: KeyChangeChannel;
  /** The events queued from now on, for live views. */
  feed: EventFeed;
  /** Each partition's state, for /metrics. */
  stats(): Promise<PartitionStats[]>;
  /** The shared Redis client, for state all servers share (rate-limit counters); absent in-process. */
  redis?: RedisClient;
}

/** The pub/sub channel of key changes, beside the stream it serves. */
export const keyChangesChannel = (streamKey: string) => `${streamKey}:key-changes`;

/** Redis Streams when REDIS_URL (or REDIS_CLUSTER_NODES) is set; otherwise the in-process queue of the embedded mode, kept on disk in DATA_DIR/queue. */
export async function openQueue(config: Config, logger: Logger): Promise<OpenedQueue> {
  const { backlogWatermark, retryAfterSeconds } = config;
  const target = redisTarget(config);
  if (target) {
    const cluster = target.clusterNodes ? { cluster: target.clusterNodes.map(redactUrl) } : {};
    const why = target.clusterNodes ? "REDIS_CLUSTER_NODES is set" : "REDIS_URL is set";
    logger.info(
      { queue: "redis-stream", redis: redactUrl(target.url), ...cluster, stream: config.streamKey, partitions: config.queuePartitions, reason: why },
      "event queue selected",
    );
    const redis = createRedisClient(target, logger);
    const layout = streamLayoutOf(config);
    return {
      kind: "redis-stream",
      publisher: createRedisStreamPublisher({ redis, layout, backlogWatermark, retryAfterSeconds, replication: config.redisWait }),
      openConsumer: () => openRedisConsumer(config, logger),
      drained: async () => undefined,
      keyChanges: createRedisKeyChangeChannel({ redis, target, channel: keyChangesChannel(config.streamKey), logger }),
      feed: createRedisStreamFeed({ target, layout, logger }),
      stats: createRedisQueueStats(redis, layout, config.worker.group),
      redis,
    };
  }
  const dir = join(config.database.dataDir, "queue");
  logger.info({ queue: "in-process", dir, reason: "REDIS_URL is not set" }, "event queue selected");
  const reserveBytes = config.database.dataDirReserveBytes;
  const local = await openLocalQueue({ dir, backlogWatermark, retryAfterSeconds, claimIdleMs: config.worker.claimIdleMs, reserveBytes, logger });
  const { publisher, feed } = feedPublishedEvents(local);
  return {
    kind: "in-process",
    publisher,
    feed,
    openConsumer: async () => local,
    keyChanges: noKeyChangeChannel,
    // Everything not yet stored is waiting or in flight: the lag of the one partition.
    stats: async () => [{ partition: "local", length: local.size(), lag: local.size() }],
    async drained(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (local.size() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (local.size() > 0) logger.info({ left: local.size(), dir }, "stopping with events not yet stored: they are on disk and delivered at the next start");
    },
  };
}
