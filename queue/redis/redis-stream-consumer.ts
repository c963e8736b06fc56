import type { Redis } from "ioredis";
import type { EventConsumer, QueueEntry } from "../event-queue.js";
import { deadLetterFields } from "./redis-dead-letters.js";
import { eventField } from "./redis-stream-publisher.js";
import { createStreamTrimmer } from "./stream-trimmer.js";

export interface RedisStreamConsumerDeps {
  redis: Redis;
  streamKey: string;
  group: string;
  /** Unique per process, so a restarted worker never inherits a dead one's identity. */
  consumer: string;
  /** Entries pending longer than this on another consumer are reclaimed. */
  claimIdleMs: number;
  deadLetterKey: string;
}

type RawEntry = [id: Buffer, fields: Buffer[]];

/**
 * Consumer-group reader over the Redis Stream: XAUTOCLAIM for entries dead
 * consumers left behind, XREADGROUP for new ones, XACK, and trimming only of
 * what every group has acknowledged.
 */
export async function createRedisStreamConsumer(deps: RedisStreamConsumerDeps): Promise<EventConsumer> {
  const { redis, streamKey, group, consumer } = deps;
  try {
    // From "0": events captured before the first worker ever started are read too.
    await redis.xgroup("CREATE", streamKey, group, "0", "MKSTREAM");
  } catch (e) {
    if (!String((e as Error).message).includes("BUSYGROUP")) throw e;
  }
  const trimmer = createStreamTrimmer(redis, streamKey);
  let claimCursor = "0-0";
  let lastClaimAt = 0;

  async function deliveryCounts(ids: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    const rows = (await redis.xpending(streamKey, group, ids[0], ids[ids.length - 1], ids.length, consumer)) as Array<[string, string, number, number]>;
    for (const [id, , , n] of rows) counts.set(id, Number(n));
    return counts;
  }

  async function reclaim(max: number): Promise<QueueEntry[]> {
    const [next, claimed] = (await redis.callBuffer("XAUTOCLAIM", streamKey, group, consumer, deps.claimIdleMs, claimCursor, "COUNT", max)) as [
      Buffer,
      RawEntry[],
    ];
    claimCursor = next.toString();
    const live = claimed.filter((e) => e?.[1]); // entries deleted meanwhile come back empty
    const counts = await deliveryCounts(live.map(([id]) => id.toString()));
    return live.map(([id, fields]) => toEntry(id, fields, counts.get(id.toString()) ?? 2));
  }

  return {
    async read(max, waitMs) {
      // Reclaiming is for dead consumers' leftovers: often enough to beat the idle time, not on every read.
      if (claimCursor !== "0-0" || Date.now() - lastClaimAt >= deps.claimIdleMs / 2) {
        lastClaimAt = Date.now();
        const reclaimed = await reclaim(max);
        if (reclaimed.length > 0) return reclaimed;
      }
      const res = (await redis.callBuffer(
        "XREADGROUP",
        "GROUP",
        group,
        consumer,
        "COUNT",
        max,
        "BLOCK",
        Math.max(1, waitMs),
        "STREAMS",
        streamKey,
        ">",
      )) as Array<[Buffer, RawEntry[]]> | null;
      if (!res) return [];
      return res[0][1].map(([id, fields]) => toEntry(id, fields, 1));
    },
    async ack(ids) {
      if (ids.length === 0) return;
      await redis.xack(streamKey, group, ...ids);
      trimmer.soon();
    },
    async keepAlive(ids) {
      // XCLAIM … JUSTID to ourselves: resets the idle time, leaves the delivery count alone.
      if (ids.length > 0) await redis.xclaim(streamKey, group, consumer, 0, ...ids, "JUSTID");
    },
    async deadLetter(items) {
      if (items.length === 0) return;
      const pipeline = redis.pipeline();
      for (const { entry, reason } of items) {
        pipeline.xadd(deps.deadLetterKey, "*", ...deadLetterFields(entry.raw, reason, entry.id, entry.deliveries));
      }
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0];
      await redis.xack(streamKey, group, ...items.map((i) => i.entry.id));
      trimmer.soon();
    },
    async close() {
      await trimmer.stop();
    },
  };
}

const eventFieldByte = eventField.charCodeAt(0);

function toEntry(id: Buffer, fields: Buffer[], deliveries: number): QueueEntry {
  // Field names are compared by byte and the value is used as is (a Buffer is a Uint8Array): no copies per event.
  let raw: Uint8Array = new Uint8Array();
  for (let n = 0; n + 1 < fields.length; n += 2) {
    if (fields[n].length === 1 && fields[n][0] === eventFieldByte) raw = fields[n + 1];
  }
  return { id: id.toString(), raw, deliveries };
}
