import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { ConfigError, type Config } from "../server/config.js";
import { redactUrl } from "../server/logger.js";
import type { EventConsumer } from "../server/queue/event-queue.js";
import { createRedisClient } from "../server/queue/redis-client.js";
import { createRedisStreamConsumer } from "../server/queue/redis-stream-consumer.js";
import { createConsumer, type Consumer } from "./consumer.js";
import type { EventSink } from "./sink/event-sink.js";

export interface RunningWorker {
  consumer: Consumer;
  /** Stops reading, finishes and acks the batches in hand. */
  stop(): Promise<void>;
}

/** Starts the consume loop on a queue into a sink. */
export function startWorker(deps: { config: Config; logger: Logger; queue: EventConsumer; sink: EventSink }): RunningWorker {
  const { config, logger, queue, sink } = deps;
  const consumer = createConsumer({
    queue,
    sink,
    logger: logger.child({ component: "worker" }),
    options: {
      batchSize: config.worker.batchSize,
      lingerMs: config.worker.lingerMs,
      maxDeliveries: config.worker.maxDeliveries,
      claimIdleMs: config.worker.claimIdleMs,
      concurrentWrites: config.worker.concurrentWrites,
    },
  });
  const running = consumer.run();
  return {
    consumer,
    async stop() {
      consumer.stop();
      await running;
      await queue.close();
    },
  };
}

/** A consumer-group member on the configured Redis Stream, on its own connection (reads block). */
export async function openRedisConsumer(config: Config, logger: Logger): Promise<{ queue: EventConsumer; close(): Promise<void> }> {
  const redis = createRedisClient(config.redisUrl!, logger, "worker-redis", {
    autoPipelining: false,
    commandTimeoutMs: config.worker.lingerMs + 5000,
  });
  for (let i = 0; redis.status !== "ready"; i++) {
    if (i > config.database.startupTimeoutMs / 100) {
      redis.disconnect();
      throw new ConfigError("REDIS_URL", `cannot reach Redis at ${redactUrl(config.redisUrl!)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const queue = await createRedisStreamConsumer({
    redis,
    streamKey: config.streamKey,
    group: config.worker.group,
    consumer: `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
    claimIdleMs: config.worker.claimIdleMs,
    deadLetterKey: config.worker.deadLetterKey,
  });
  return { queue, close: async () => void (await redis.quit().catch(() => redis.disconnect())) };
}
