import type { StoredEvent } from "../../core/events/event-model.js";
import { decodeQueuedEvent, encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { layoutInUse } from "./partition-count.js";
import type { RedisClient } from "./redis-client.js";
import { emptyIfNotStream } from "./redis-errors.js";
import { eventField } from "./redis-stream-publisher.js";
import { entryId, type StreamLayout, type StreamSource, splitEntryId } from "./stream-layout.js";
import { compareIds } from "./stream-trimmer.js";

/** One refused entry as the dead-letter stream keeps it; `event` undefined when its bytes do not decode. */
export interface DeadLetter {
  id: string;
  reason: string;
  /** Its id in the event stream, and how many times it was delivered before it was set aside. */
  sourceId: string;
  deliveries: number;
  event: StoredEvent | undefined;
}

export interface DeadLetters {
  count(): Promise<number>;
  /** The oldest `limit` entries. */
  list(limit: number): Promise<DeadLetter[]>;
  get(id: string): Promise<DeadLetter | undefined>;
  /**
   * Queues the entry again (as it was, or as `mended`) and removes it from the dead letters: "replayed";
   * "missing" when there is no such entry; "undecodable" when it does not decode and no mended event is given.
   */
  replay(id: string, mended?: StoredEvent): Promise<"replayed" | "missing" | "undecodable">;
  drop(id: string): Promise<boolean>;
}

/** The fields of a dead letter: what the worker writes (redis-stream-consumer.ts) and this tool reads. */
export function deadLetterFields(raw: Uint8Array, reason: string, sourceId: string, deliveries: number): Array<string | Buffer> {
  return [eventField, Buffer.from(raw), "reason", reason, "source_id", sourceId, "deliveries", String(deliveries)];
}

/** The dead letters of every partition (and of the single-stream layout), for `npm run dead-letters`; ids name their partition. */
export function createRedisDeadLetters(redis: RedisClient, configured: StreamLayout): DeadLetters {
  // Every partition a server has written to, when more than configured here (partition-count.ts).
  let inUse: Promise<readonly StreamSource[]> | undefined;
  const allSources = () => (inUse ??= layoutInUse(redis, configured).then((layout) => layout.sources));
  const parse = (source: StreamSource, [id, fields]: [Buffer, Buffer[]]): DeadLetter & { raw: Buffer } => {
    const byName = new Map<string, Buffer>();
    for (let i = 0; i + 1 < fields.length; i += 2) byName.set(fields[i].toString(), fields[i + 1]);
    const raw = byName.get(eventField) ?? Buffer.alloc(0);
    let event: StoredEvent | undefined;
    try {
      event = decodeQueuedEvent(raw);
    } catch {
      event = undefined;
    }
    return {
      id: entryId(source.name, id.toString()),
      reason: byName.get("reason")?.toString() ?? "",
      sourceId: byName.get("source_id")?.toString() ?? "",
      deliveries: Number(byName.get("deliveries")?.toString() ?? 0),
      event,
      raw,
    };
  };
  const locate = async (id: string) => {
    const { source, streamId } = splitEntryId(id);
    const where = (await allSources()).find((s) => s.name === source);
    return where && /^\d+-\d+$/.test(streamId) ? { where, streamId } : undefined;
  };
  const read = async (id: string) => {
    const at = await locate(id);
    if (!at) return undefined;
    const [entry] = (await redis.xrangeBuffer(at.where.deadLetterKey, at.streamId, at.streamId)) as Array<[Buffer, Buffer[]]>;
    return entry && parse(at.where, entry);
  };
  const withoutRaw = ({ raw: _, ...letter }: DeadLetter & { raw: Buffer }): DeadLetter => letter;
  return {
    async count() {
      const lengths = await Promise.all((await allSources()).map((s) => redis.xlen(s.deadLetterKey).catch(emptyIfNotStream(0))));
      return lengths.reduce((a, b) => a + b, 0);
    },
    async list(limit) {
      const each = await Promise.all(
        (await allSources()).map(async (s) => {
          const entries = (await redis.xrangeBuffer(s.deadLetterKey, "-", "+", "COUNT", limit).catch(emptyIfNotStream([]))) as Array<[Buffer, Buffer[]]>;
          return entries.map((e) => withoutRaw(parse(s, e)));
        }),
      );
      // Oldest first over every partition: stream ids start with the time they were written.
      const streamId = (l: DeadLetter) => splitEntryId(l.id).streamId;
      return each
        .flat()
        .sort((a, b) => compareIds(streamId(a), streamId(b)))
        .slice(0, limit);
    },
    async get(id) {
      const entry = await read(id);
      return entry && withoutRaw(entry);
    },
    async replay(id, mended) {
      const entry = await read(id);
      if (!entry) return "missing";
      const event = mended ?? entry.event;
      if (!event) return "undecodable";
      // Into the partition the event belongs to (not always the dead letter's slot, so not one MULTI), then off the
      // list: a replay stopped between the two leaves the letter to replay again; the database keeps one row per uuid.
      const target = configured.sources[configured.partitionOf(event.projectId, event.distinctId)];
      await redis.xadd(target.streamKey, "*", eventField, mended ? encodeQueuedEvent(mended) : entry.raw);
      const at = (await locate(id))!;
      await redis.xdel(at.where.deadLetterKey, at.streamId);
      return "replayed";
    },
    async drop(id) {
      const at = await locate(id);
      return at !== undefined && (await redis.xdel(at.where.deadLetterKey, at.streamId)) > 0;
    },
  };
}
