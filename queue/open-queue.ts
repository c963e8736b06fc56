import type { Logger } from "pino";
import type { Config } from "../core/config/config.js";
import { redactUrl } from "../core/logger.js";
import type { EventConsumer, EventPublisher } from "./event-queue.js";
import { createMemoryQueue } from "./memory-queue.js";
import { createRedisClient } from "./redis/redis-client.js";
import { openRedisConsumer } from "./redis/redis-consumer-open.js";
import { createRedisStreamPublisher } from "./redis/redis-stream-publisher.js";

export interface OpenedQueue {
  kind: "redis-stream" | "in-process";
  publisher: EventPublisher;
  /** The consuming side for a worker in this process. */
  openConsumer(): Promise<EventConsumer>;
  /** Resolves once nothing is left unacked (in-process queue), or at once (Redis keeps it). */
  drained(timeoutMs: number): Promise<void>;
}

/** Redis Stream when REDIS_URL is set; otherwise the in-process queue of the embedded mode. */
export async function openQueue(config: Config, logger: Logger): Promise<OpenedQueue> {
  const { backlogWatermark, retryAfterSeconds } = config;
  if (config.redisUrl) {
    logger.info({ queue: "redis-stream", redis: redactUrl(config.redisUrl), stream: config.streamKey, reason: "REDIS_URL is set" }, "event queue selected");
    const redis = createRedisClient(config.redisUrl, logger);
    return {
      kind: "redis-stream",
      publisher: createRedisStreamPublisher({ redis, streamKey: config.streamKey, backlogWatermark, retryAfterSeconds }),
      openConsumer: () => openRedisConsumer(config, logger),
      drained: async () => undefined,
    };
  }
  logger.info({ queue: "in-process", reason: "REDIS_URL is not set" }, "event queue selected");
  const memory = createMemoryQueue({
    backlogWatermark,
    retryAfterSeconds,
    claimIdleMs: config.worker.claimIdleMs,
    onDeadLetter: (entry, reason) => logger.error({ entryId: entry.id, reason }, "event dead-lettered"),
  });
  return {
    kind: "in-process",
    publisher: memory,
    openConsumer: async () => memory,
    async drained(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (memory.size() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (memory.size() > 0) logger.error({ left: memory.size() }, "stopped before the in-process queue drained");
    },
  };
}
