import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { EventFeed } from "../../core/events/event-feed.js";
import type { StoredEvent } from "../../core/events/event-model.js";
import { decodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { createRedisClient } from "./redis-client.js";
import { eventField } from "./redis-stream-publisher.js";

const blockMs = 1000;
const mostPerRead = 1000;

/**
 * Follows the stream with plain XREAD (no consumer group: it takes nothing
 * from the workers), from the entries added after the first follower came.
 * Every server process sees every server's events, because they share the
 * stream. One connection per process, opened while someone follows.
 */
export function createRedisStreamFeed(deps: { url: string; streamKey: string; logger: Logger }): EventFeed {
  const listeners = new Set<(events: readonly StoredEvent[]) => void>();
  let redis: Redis | undefined;
  let reading: Promise<void> | undefined;
  let started: Promise<void> = Promise.resolve();

  /** The newest entry's id: reading after it misses nothing queued once `follow` is ready ("$" would, until the first XREAD). */
  async function newestId(client: Redis): Promise<string> {
    try {
      const [newest] = await client.xrevrange(deps.streamKey, "+", "-", "COUNT", 1);
      return newest?.[0] ?? "0-0";
    } catch (e) {
      deps.logger.debug({ err: (e as Error).message }, "event feed start failed; following from the next entry");
      return "$";
    }
  }

  async function readLoop(client: Redis, from: Promise<string>) {
    let lastId = await from;
    while (redis === client) {
      try {
        const res = (await client.xreadBuffer("COUNT", mostPerRead, "BLOCK", blockMs, "STREAMS", deps.streamKey, lastId)) as Array<
          [Buffer, Array<[Buffer, Buffer[]]>]
        > | null;
        const entries = res?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        lastId = entries[entries.length - 1][0].toString();
        const events = entries.flatMap(([, fields]) => {
          const at = fields.findIndex((f, i) => i % 2 === 0 && f.toString() === eventField);
          return at < 0 ? [] : [decodeQueuedEvent(fields[at + 1])];
        });
        for (const listener of listeners) listener(events);
      } catch (e) {
        if (redis !== client) return;
        deps.logger.debug({ err: (e as Error).message }, "event feed read failed; retrying");
        await new Promise((r) => setTimeout(r, blockMs));
      }
    }
  }

  function stop() {
    const client = redis;
    redis = undefined;
    client?.disconnect();
  }

  return {
    follow(listener) {
      listeners.add(listener);
      if (!redis) {
        // Commands wait for the connection (offline queue) here: the first XREVRANGE is sent as soon as it is up.
        const client = createRedisClient(deps.url, deps.logger, "redis-feed", { autoPipelining: false, commandTimeoutMs: blockMs + 5000, offlineQueue: true });
        redis = client;
        const from = newestId(client);
        started = from.then(() => undefined);
        reading = readLoop(client, from);
      }
      return {
        ready: started,
        stop() {
          listeners.delete(listener);
          if (listeners.size === 0) stop();
        },
      };
    },
    async close() {
      listeners.clear();
      stop();
      await reading;
    },
  };
}
