import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { inject } from "vitest";
import type { StoredEvent } from "../../core/events/event-model.js";
import { decodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { eventField } from "../../queue/redis/redis-stream-publisher.js";

/** What reached a Redis Stream, decoded: for tests that check what capture queued. */
export interface StreamReader {
  streamKey: string;
  /** A client of its own on the test Redis, for assertions. */
  redis: Redis;
  /** Every event in the stream, oldest first. */
  events(): Promise<StoredEvent[]>;
  /** uuid → how many times it is in the stream. */
  counts(): Promise<Map<string, number>>;
  /** Polls until `done(events)` holds (or the time is up); returns the events. */
  waitFor(done: (events: StoredEvent[]) => boolean, timeoutMs?: number): Promise<StoredEvent[]>;
  /** Deletes the stream and disconnects. */
  close(): Promise<void>;
}

export async function createStreamReader(streamKey = `test:${randomUUID()}`, redisUrl = inject("redisUrl")): Promise<StreamReader> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined); // outage tests stop Redis on purpose
  await redis.connect();
  async function events(): Promise<StoredEvent[]> {
    const entries = await redis.xrangeBuffer(streamKey, "-", "+");
    return entries.map(([, fields]) => decodeQueuedEvent(fields[fields.findIndex((f) => f.toString() === eventField) + 1]));
  }
  return {
    streamKey,
    redis,
    events,
    async counts() {
      const counts = new Map<string, number>();
      for (const e of await events()) counts.set(e.uuid, (counts.get(e.uuid) ?? 0) + 1);
      return counts;
    },
    async waitFor(done, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const list = await events();
        if (done(list) || Date.now() > until) return list;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await redis.del(streamKey).catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** Every uuid exactly once: the uuids seen more than once and those missing. */
export function deliveryReport(expected: readonly string[], counts: Map<string, number>) {
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([u]) => u);
  const missing = expected.filter((u) => !counts.has(u));
  return { duplicated, missing, delivered: counts.size };
}
