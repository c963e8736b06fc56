import type { RedisClient } from "./redis-client.js";

export interface StreamTrimmer {
  /** Asks for a trim; runs at most once per interval. */
  soon(): void;
  /** Trims now; resolves with the entries removed. */
  trimNow(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Deletes only stream entries that every consumer group has acknowledged:
 * everything below the oldest entry still pending in any group, or below what
 * a group has yet to read. Unread or unacked entries are never touched, nor
 * entries younger than `graceMs`: the live tail (redis-stream-feed.ts) polls
 * the streams every 200 ms, and a batch stored and acknowledged faster than
 * that was trimmed before it could be seen (found by the Redis Cluster tail
 * test). Entry ids are Redis's clock; a worker's clock off by seconds only
 * lengthens or shortens the grace.
 */
export function createStreamTrimmer(redis: RedisClient, streamKey: string, intervalMs = 1000, graceMs = 2000, now = Date.now): StreamTrimmer {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function safeThreshold(): Promise<string | undefined> {
    const groups = (await redis.xinfo("GROUPS", streamKey)) as unknown[][];
    if (groups.length === 0) return undefined;
    let lowest: string | undefined;
    for (const g of groups) {
      const info = toRecord(g);
      let bound: string;
      if (Number(info.pending) > 0) {
        const [, minPending] = (await redis.xpending(streamKey, String(info.name))) as [number, string, string, unknown];
        bound = minPending;
      } else {
        bound = nextId(String(info["last-delivered-id"]));
      }
      if (lowest === undefined || compareIds(bound, lowest) < 0) lowest = bound;
    }
    const young = `${Math.max(0, now() - graceMs)}-0`;
    return lowest !== undefined && compareIds(young, lowest) < 0 ? young : lowest;
  }

  async function trimNow(): Promise<number> {
    running ??= (async () => {
      try {
        const threshold = await safeThreshold();
        return threshold ? Number(await redis.xtrim(streamKey, "MINID", threshold)) : 0;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  return {
    soon() {
      timer ??= setTimeout(() => {
        timer = undefined;
        trimNow().catch(() => undefined); // best effort: the next ack tries again
      }, intervalMs);
      timer.unref();
    },
    trimNow,
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}

/** A flat [name, value, …] reply (XINFO) as a record. */
export function toRecord(flat: unknown[]): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) r[String(flat[i])] = flat[i + 1];
  return r;
}

function parseId(id: string): [bigint, bigint] {
  const [ms, seq = "0"] = id.split("-");
  return [BigInt(ms), BigInt(seq)];
}

export function compareIds(a: string, b: string): number {
  const [am, as] = parseId(a);
  const [bm, bs] = parseId(b);
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}

/** The smallest id greater than `id`. */
function nextId(id: string): string {
  const [ms, seq] = parseId(id);
  return `${ms}-${seq + 1n}`;
}
