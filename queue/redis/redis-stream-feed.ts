import type { Logger } from "pino";
import { sleep } from "../../core/backoff.js";
import type { EventFeed } from "../../core/events/event-feed.js";
import type { StoredEvent } from "../../core/events/event-model.js";
import { decodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { createRedisClient, type RedisClient, type RedisTarget } from "./redis-client.js";
import { emptyIfNotStream } from "./redis-errors.js";
import { eventField } from "./redis-stream-publisher.js";
import type { StreamLayout } from "./stream-layout.js";

const pollMs = 200;
const mostPerRead = 1000;

/**
 * Follows every partition with plain XREAD (no consumer group: it takes
 * nothing from the workers), from the entries added after the first follower
 * came. Every server process sees every server's events, because they share
 * the streams. One connection per process, opened while someone follows;
 * partitions are polled (a blocking read cannot span a cluster's slots),
 * one round trip per node every 200 ms.
 */
export function createRedisStreamFeed(deps: { target: RedisTarget; layout: StreamLayout; logger: Logger }): EventFeed {
  const keys = deps.layout.sources.map((s) => s.streamKey);
  const listeners = new Set<(events: readonly StoredEvent[]) => void>();
  let redis: RedisClient | undefined;
  let reading: Promise<void> | undefined;
  let started: Promise<void> = Promise.resolve();

  /** Each stream's newest entry id: reading after it misses nothing queued once `follow` is ready. */
  async function newestIds(client: RedisClient): Promise<string[]> {
    return Promise.all(
      keys.map(async (key) => {
        try {
          const [newest] = await client.xrevrange(key, "+", "-", "COUNT", 1);
          return newest?.[0] ?? "0-0";
        } catch (e) {
          deps.logger.debug({ err: (e as Error).message }, "event feed start failed; following from now");
          return `${Date.now()}-0`;
        }
      }),
    );
  }

  async function readOne(client: RedisClient, key: string, after: string): Promise<Array<[Buffer, Buffer[]]>> {
    const res = (await client.xreadBuffer("COUNT", mostPerRead, "STREAMS", key, after).catch(emptyIfNotStream(null))) as Array<
      [Buffer, Array<[Buffer, Buffer[]]>]
    > | null;
    return res?.[0]?.[1] ?? [];
  }

  async function readLoop(client: RedisClient, from: Promise<string[]>) {
    const lastIds = await from;
    while (redis === client) {
      try {
        const read = await Promise.all(keys.map((key, i) => readOne(client, key, lastIds[i])));
        const events: StoredEvent[] = [];
        read.forEach((entries, i) => {
          if (entries.length === 0) return;
          lastIds[i] = entries[entries.length - 1][0].toString();
          for (const [, fields] of entries) {
            const at = fields.findIndex((f, n) => n % 2 === 0 && f.toString() === eventField);
            if (at >= 0) events.push(decodeQueuedEvent(fields[at + 1]));
          }
        });
        if (events.length > 0) for (const listener of listeners) listener(events);
        else await sleep(pollMs);
      } catch (e) {
        if (redis !== client) return;
        deps.logger.debug({ err: (e as Error).message }, "event feed read failed; retrying");
        await sleep(1000);
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
        // No auto-pipelining: on a cluster it would route each XREAD by its first argument ("COUNT"), not its key.
        const client = createRedisClient(deps.target, deps.logger, "redis-feed", { autoPipelining: false, commandTimeoutMs: 5000, offlineQueue: true });
        redis = client;
        const from = newestIds(client);
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
