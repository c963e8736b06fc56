import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { inject } from "vitest";
import type { StoredEvent } from "../../core/events/event-model.js";
import { decodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { eventField } from "../../queue/redis/redis-stream-publisher.js";
import { createStreamLayout, type StreamLayout } from "../../queue/redis/stream-layout.js";
import { compareIds } from "../../queue/redis/stream-trimmer.js";

/** What reached the Redis Streams of one base key (every partition, and the single-stream layout's key), decoded. */
export interface StreamReader {
  streamKey: string;
  layout: StreamLayout;
  /** A client of its own on the test Redis, for assertions. */
  redis: Redis;
  /** Every event in the streams, oldest first. */
  events(): Promise<StoredEvent[]>;
  /** Entries in all streams together. */
  length(): Promise<number>;
  /** Entries pending in `group`, all streams together. */
  pending(group: string): Promise<number>;
  /** Dead letters, all partitions together. */
  deadLetters(): Promise<number>;
  /** uuid → how many times it is in the streams. */
  counts(): Promise<Map<string, number>>;
  /** Polls until `done(events)` holds (or the time is up); returns the events. */
  waitFor(done: (events: StoredEvent[]) => boolean, timeoutMs?: number): Promise<StoredEvent[]>;
  /** Deletes the streams and their dead letters, and disconnects. */
  close(): Promise<void>;
}

export async function createStreamReader(streamKey = `test:${randomUUID()}`, redisUrl = inject("redisUrl"), partitions = 16): Promise<StreamReader> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined); // outage tests stop Redis on purpose
  await redis.connect();
  const layout = createStreamLayout({ streamKey, deadLetterKey: `${streamKey}:dead`, partitions });
  async function events(): Promise<StoredEvent[]> {
    const all = await Promise.all(layout.sources.map((s) => redis.xrangeBuffer(s.streamKey, "-", "+")));
    return all
      .flat()
      .sort(([a], [b]) => compareIds(a.toString(), b.toString()))
      .map(([, fields]) => decodeQueuedEvent(fields[fields.findIndex((f) => f.toString() === eventField) + 1]));
  }
  return {
    streamKey,
    layout,
    redis,
    events,
    async length() {
      return (await Promise.all(layout.sources.map((s) => redis.xlen(s.streamKey)))).reduce((a, b) => a + b, 0);
    },
    async pending(group) {
      // A stream never created (or its group not yet): nothing pending there; any other error fails the test.
      const none = (e: Error) => (/NOGROUP|no such key/i.test(e.message) ? [0] : Promise.reject(e));
      const each = await Promise.all(layout.sources.map((s) => redis.xpending(s.streamKey, group).catch(none) as Promise<[number, ...unknown[]]>));
      return each.reduce((a, [n]) => a + Number(n), 0);
    },
    async deadLetters() {
      return (await Promise.all(layout.sources.map((s) => redis.xlen(s.deadLetterKey)))).reduce((a, b) => a + b, 0);
    },
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
      await redis.del(layout.partitionsKey, ...layout.sources.flatMap((s) => [s.streamKey, s.deadLetterKey])).catch(() => undefined);
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
