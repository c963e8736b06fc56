import type { Logger } from "pino";
import type { KeyChangeChannel } from "../../core/access/key-change-channel.js";
import { createRedisClient, type RedisClient, type RedisTarget } from "./redis-client.js";

/**
 * Key changes over Redis pub/sub: `announce` publishes on the hot-path
 * client (never failing the change it announces); `listen` subscribes on a connection of its own (a subscribed
 * connection can do nothing else), which ioredis resubscribes after a
 * reconnect. A message missed while Redis was away is covered by the
 * keyring's periodic reload.
 */
export function createRedisKeyChangeChannel(deps: { redis: RedisClient; target: RedisTarget; channel: string; logger: Logger }): KeyChangeChannel {
  return {
    async announce() {
      // Best effort: the change is already stored, and every server rereads within KEY_REFRESH_SECONDS anyway.
      await deps.redis.publish(deps.channel, "changed").catch((e: unknown) => {
        deps.logger.warn({ err: (e as Error).message }, "key change not announced (Redis unreachable); servers see it at their next reread");
      });
    },
    async listen(onChange) {
      const subscriber = createRedisClient(deps.target, deps.logger, "redis-key-changes", { autoPipelining: false });
      subscriber.on("message", (channel: string) => {
        if (channel === deps.channel) onChange();
      });
      // With no offline queue, subscribing must wait until the connection is ready.
      const subscribe = () => subscriber.subscribe(deps.channel).catch(() => undefined);
      subscriber.on("ready", subscribe);
      return {
        async close() {
          subscriber.disconnect();
        },
      };
    },
  };
}
