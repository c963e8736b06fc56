import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Config } from "../../core/config/config.js";
import { ConfigError } from "../../core/errors/config-error.js";
import { redactUrl } from "../../core/logger.js";
import type { EventConsumer } from "../event-queue.js";
import { createRedisClient, redisTarget } from "./redis-client.js";
import { createRedisStreamConsumer } from "./redis-stream-consumer.js";
import { streamLayoutOf } from "./stream-layout.js";

/**
 * A consumer-group member on the configured Redis Streams, on a connection of
 * its own (its reads block). Closing it closes that connection.
 */
export async function openRedisConsumer(config: Config, logger: Logger): Promise<EventConsumer> {
  const url = config.redisUrl!;
  const redis = createRedisClient(redisTarget(config)!, logger, "worker-redis", { autoPipelining: false, commandTimeoutMs: config.worker.lingerMs + 5000 });
  for (let i = 0; redis.status !== "ready"; i++) {
    if (i > config.database.startupTimeoutMs / 100) {
      redis.disconnect();
      throw new ConfigError("REDIS_URL", `cannot reach Redis at ${redactUrl(url)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const queue = await createRedisStreamConsumer({
    redis,
    layout: streamLayoutOf(config),
    group: config.worker.group,
    consumer: `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
    claimIdleMs: config.worker.claimIdleMs,
    logger: logger.child({ component: "worker-queue" }),
  });
  return {
    ...queue,
    async close() {
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
