import { Cluster } from "ioredis";
import type { Logger } from "pino";
import { sleep } from "../../core/backoff.js";
import type { EventConsumer, QueueEntry } from "../event-queue.js";
import type { RedisClient } from "./redis-client.js";
import { deadLetterFields } from "./redis-dead-letters.js";
import { isNoGroup } from "./redis-errors.js";
import { eventField } from "./redis-stream-publisher.js";
import { entryId, type StreamLayout, splitEntryId } from "./stream-layout.js";
import { openStreamSources, type Source } from "./stream-sources.js";

export interface RedisStreamConsumerDeps {
  redis: RedisClient;
  layout: StreamLayout;
  group: string;
  /** Unique per process, so a restarted worker never inherits a dead one's identity. */
  consumer: string;
  /** Entries pending longer than this on another consumer are reclaimed. */
  claimIdleMs: number;
  /** On a cluster, how long to sleep between reads of empty streams (a blocking read cannot span slots). */
  pollMs?: number;
  logger?: Logger;
}

type RawEntry = [id: Buffer, fields: Buffer[]];
type ReadReply = Array<[Buffer, RawEntry[]]> | null;

/**
 * Consumer-group reader over every partition: XAUTOCLAIM for entries dead
 * consumers left behind, XREADGROUP for new ones, XACK, and trimming only of
 * what every group has acknowledged — each per partition. Every worker reads
 * every partition (the group shares the entries out; no assignment to keep
 * alive when a worker dies). On one Redis a read is one blocking XREADGROUP
 * over all partitions, each asked for its share of the batch; on a cluster,
 * one XREADGROUP per partition at once, polled. Partitions that filled their
 * share are then read again for the rest. A partition that fails (its node
 * down) is skipped; the others' entries still come back.
 */
export async function createRedisStreamConsumer(deps: RedisStreamConsumerDeps): Promise<EventConsumer> {
  const { redis, group, consumer } = deps;
  const pollMs = deps.pollMs ?? 25;
  const cluster = redis instanceof Cluster;
  const sources = await openStreamSources({ redis, layout: deps.layout, group, logger: deps.logger });
  let lastClaimAt = 0;
  let refreshedAt = Date.now();
  let rotation = 0;

  /** Runs `read` on one source; a deleted key's NOGROUP makes its group again (or drops the old stream) and reads nothing. */
  async function guarded(source: Source, read: () => Promise<QueueEntry[]>): Promise<QueueEntry[]> {
    try {
      return await read();
    } catch (e) {
      if (!isNoGroup(e)) throw e;
      await sources.regroup(source);
      return [];
    }
  }

  async function deliveryCounts(source: Source, ids: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    const rows = (await redis.xpending(source.streamKey, group, ids[0], ids[ids.length - 1], ids.length, consumer)) as Array<[string, string, number, number]>;
    for (const [id, , , n] of rows) counts.set(id, Number(n));
    return counts;
  }

  const reclaim = (source: Source, max: number) =>
    guarded(source, async () => {
      const [next, claimed] = (await redis.callBuffer("XAUTOCLAIM", source.streamKey, group, consumer, deps.claimIdleMs, source.claimCursor, "COUNT", max)) as [
        Buffer,
        RawEntry[],
      ];
      source.claimCursor = next.toString();
      const live = claimed.filter((e) => e?.[1]); // entries deleted meanwhile come back empty
      const counts = await deliveryCounts(
        source,
        live.map(([id]) => id.toString()),
      );
      return live.map(([id, fields]) => toEntry(source, id, fields, counts.get(id.toString()) ?? 2));
    });

  /** One XAUTOCLAIM per stream whose pass is under way, until `max`; a pass goes on over the next reads until its cursor is back at the start. */
  async function reclaimDue(max: number): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    for (const s of sources.live()) {
      if (!s.claimDue || out.length >= max) continue;
      try {
        out.push(...(await reclaim(s, max - out.length)));
        if (s.claimCursor === "0-0") s.claimDue = false;
      } catch {
        // This stream's node is unreachable: its pass waits; the other streams go on.
      }
    }
    return out;
  }

  const readNew = (source: Source, count: number) =>
    guarded(source, async () => {
      const res = (await redis.callBuffer("XREADGROUP", "GROUP", group, consumer, "COUNT", count, "STREAMS", source.streamKey, ">")) as ReadReply;
      return res ? res[0][1].map(([id, fields]) => toEntry(source, id, fields, 1)) : [];
    });

  /** Reads again, one after the other, from the streams that gave all they were asked for: they may hold more. */
  async function topUp(entries: QueueEntry[], full: Source[], max: number): Promise<QueueEntry[]> {
    for (const s of full) {
      if (entries.length >= max) break;
      entries.push(...(await readNew(s, max - entries.length).catch(() => [])));
    }
    return entries;
  }

  /** `max` spread over the live streams, from a rotating start so none is always last. */
  function shares(max: number): Array<[Source, number]> {
    const live = sources.live();
    const start = rotation++ % live.length;
    const base = Math.floor(max / live.length);
    const extra = max % live.length;
    return live.map((_, i): [Source, number] => [live[(start + i) % live.length], base + (i < extra ? 1 : 0)]).filter(([, n]) => n > 0);
  }

  /** Every stream asked at once for its share (one round trip per node); throws only when every stream failed. */
  async function sweep(max: number): Promise<QueueEntry[]> {
    const asked = shares(max);
    const got = await Promise.allSettled(asked.map(([s, n]) => readNew(s, n)));
    if (got.every((g) => g.status === "rejected")) throw (got[0] as PromiseRejectedResult).reason;
    const values = got.map((g) => (g.status === "fulfilled" ? g.value : []));
    const full = asked.filter(([, n], i) => values[i].length === n).map(([s]) => s);
    return topUp(values.flat(), full, max);
  }

  /** One Redis: a single XREADGROUP over every stream, blocking while all are empty. */
  async function blockingRead(max: number, waitMs: number): Promise<QueueEntry[]> {
    const live = sources.live();
    const share = Math.floor(max / live.length);
    let res: ReadReply;
    try {
      res = (await redis.callBuffer(
        "XREADGROUP",
        ...["GROUP", group, consumer, "COUNT", share, "BLOCK", Math.max(1, waitMs), "STREAMS"],
        ...live.map((s) => s.streamKey),
        ...live.map(() => ">"),
      )) as ReadReply;
    } catch (e) {
      if (!isNoGroup(e)) throw e;
      await Promise.all(live.map((s) => sources.regroup(s)));
      return [];
    }
    const entries: QueueEntry[] = [];
    const full: Source[] = [];
    for (const [key, raw] of res ?? []) {
      const source = sources.bySourceKey(key.toString())!;
      entries.push(...raw.map(([id, fields]) => toEntry(source, id, fields, 1)));
      if (raw.length === share) full.push(source);
    }
    return topUp(entries, full, max);
  }

  async function pollingRead(max: number, waitMs: number): Promise<QueueEntry[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const entries = await sweep(max);
      const left = deadline - Date.now();
      if (entries.length > 0 || left <= 0) return entries;
      await sleep(Math.min(pollMs, left));
    }
  }

  /** Acks a stream's entries; the stream may then be trimmed of them. */
  async function acknowledge(s: Source, streamIds: string[]): Promise<void> {
    await redis.xack(s.streamKey, group, ...streamIds);
    s.trimmer.soon();
  }

  /** Calls `run` once per stream with the stream ids of that stream's entries. */
  async function perSource(ids: readonly string[], run: (source: Source, streamIds: string[]) => Promise<unknown>): Promise<void> {
    const grouped = new Map<Source, string[]>();
    for (const id of ids) {
      const { source, streamId } = splitEntryId(id);
      const s = sources.byName(source);
      if (!s) continue;
      grouped.get(s)?.push(streamId) ?? grouped.set(s, [streamId]);
    }
    await Promise.all([...grouped].map(([s, streamIds]) => run(s, streamIds)));
  }

  return {
    async read(max, waitMs) {
      if (Date.now() - refreshedAt >= 10_000) {
        refreshedAt = Date.now();
        await sources.refresh();
      }
      // Reclaiming is for dead consumers' leftovers: a pass often enough to beat the idle time, not on every read.
      // Each stream is trimmed then too: its last acks may have come from a worker that died before trimming.
      if (Date.now() - lastClaimAt >= deps.claimIdleMs / 2) {
        lastClaimAt = Date.now();
        for (const s of sources.live()) {
          s.claimDue = true;
          s.trimmer.soon();
        }
      }
      const reclaimed = await reclaimDue(max);
      if (reclaimed.length > 0) return reclaimed;
      return !cluster && max >= sources.live().length ? blockingRead(max, waitMs) : pollingRead(max, waitMs);
    },
    ack: (ids) => perSource(ids, acknowledge),
    async keepAlive(ids) {
      // XCLAIM … JUSTID to ourselves: resets the idle time, leaves the delivery count alone.
      await perSource(ids, (s, streamIds) => redis.xclaim(s.streamKey, group, consumer, 0, ...streamIds, "JUSTID"));
    },
    async deadLetter(items) {
      // Each stream's dead letters share its slot; written before the entries are acked (a crash between copies, never loses).
      const entries = new Map(items.map((i) => [i.entry.id, i]));
      await perSource([...entries.keys()], async (s, streamIds) => {
        await Promise.all(
          streamIds.map((streamId) => {
            const { entry, reason } = entries.get(entryId(s.name, streamId))!;
            return redis.xadd(s.deadLetterKey, "*", ...deadLetterFields(entry.raw, reason, entry.id, entry.deliveries));
          }),
        );
        await acknowledge(s, streamIds);
      });
    },
    close: () => sources.stop(),
  };
}

const eventFieldByte = eventField.charCodeAt(0);

function toEntry(source: Source, id: Buffer, fields: Buffer[], deliveries: number): QueueEntry {
  // Field names are compared by byte and the value is used as is (a Buffer is a Uint8Array): no copies per event.
  let raw: Uint8Array = new Uint8Array();
  for (let n = 0; n + 1 < fields.length; n += 2) {
    if (fields[n].length === 1 && fields[n][0] === eventFieldByte) raw = fields[n + 1];
  }
  return { id: entryId(source.name, id.toString()), raw, deliveries };
}
