import type { Redis } from "ioredis";
import { UnavailableError } from "../../core/errors/domain-errors.js";
import { encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import type { EventPublisher } from "../event-queue.js";

export interface RedisStreamPublisherDeps {
  /** A client with enableAutoPipelining (concurrent requests share round trips) and no offline queue. */
  redis: Redis;
  streamKey: string;
  backlogWatermark: number;
  retryAfterSeconds: number;
  /** How stale the cached stream length may be; XLEN per request would double the Redis load. */
  backlogCheckMs?: number;
}

/** Field name of the event bytes in each stream entry. */
export const eventField = "e";

// Appends each argument as one entry; atomic, so a batch is queued whole or not at all.
const xaddManyScript = `for i = 1, #ARGV do redis.call('XADD', KEYS[1], '*', '${eventField}', ARGV[i]) end return #ARGV`;

interface XaddMany {
  xaddMany(key: string, ...values: Buffer[]): Promise<number>;
}

/**
 * Appends events to a Redis Stream with XADD, one entry per event. Never trims:
 * the stream is bounded by refusing events above the watermark, never by
 * deleting entries no worker has read.
 */
export function createRedisStreamPublisher(deps: RedisStreamPublisherDeps): EventPublisher {
  const { redis, streamKey } = deps;
  if (!("xaddMany" in redis)) redis.defineCommand("xaddMany", { numberOfKeys: 1, lua: xaddManyScript });
  const checkEvery = deps.backlogCheckMs ?? 250;
  let backlog = 0;
  let checkedAt = 0;
  let checking: Promise<void> | undefined;

  function unavailable(why: string): UnavailableError {
    return new UnavailableError(why, deps.retryAfterSeconds);
  }

  function refreshBacklog(): Promise<void> {
    checking ??= redis
      .xlen(streamKey)
      .then((n) => {
        backlog = n;
        checkedAt = Date.now();
      })
      .finally(() => {
        checking = undefined;
      });
    return checking;
  }

  return {
    async publish(events) {
      if (redis.status !== "ready") throw unavailable("the event queue (Redis) is unreachable");
      try {
        if (Date.now() - checkedAt > checkEvery) await refreshBacklog();
        if (backlog >= deps.backlogWatermark) {
          throw unavailable(`the event queue is over its backlog watermark (${deps.backlogWatermark})`);
        }
        if (events.length === 1) {
          await redis.xadd(streamKey, "*", eventField, encodeQueuedEvent(events[0]));
        } else {
          // One script call per batch: one round trip and one command to parse instead of one per event.
          await (redis as Redis & XaddMany).xaddMany(streamKey, ...events.map(encodeQueuedEvent));
        }
        backlog += events.length;
      } catch (e) {
        if (e instanceof UnavailableError) throw e;
        throw unavailable("the event queue (Redis) failed");
      }
    },
    async ready() {
      if (redis.status !== "ready") return false;
      try {
        return (await redis.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
