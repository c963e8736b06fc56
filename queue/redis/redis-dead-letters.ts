import type { Redis } from "ioredis";
import type { StoredEvent } from "../../core/events/event-model.js";
import { decodeQueuedEvent, encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { eventField } from "./redis-stream-publisher.js";

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

/** The dead-letter stream of one event stream, for `npm run dead-letters`. */
export function createRedisDeadLetters(redis: Redis, keys: { streamKey: string; deadLetterKey: string }): DeadLetters {
  const parse = ([id, fields]: [Buffer, Buffer[]]): DeadLetter & { raw: Buffer } => {
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
      id: id.toString(),
      reason: byName.get("reason")?.toString() ?? "",
      sourceId: byName.get("source_id")?.toString() ?? "",
      deliveries: Number(byName.get("deliveries")?.toString() ?? 0),
      event,
      raw,
    };
  };
  const read = async (id: string) => {
    const [entry] = (await redis.xrangeBuffer(keys.deadLetterKey, id, id)) as Array<[Buffer, Buffer[]]>;
    return entry && parse(entry);
  };
  const withoutRaw = ({ raw: _, ...letter }: DeadLetter & { raw: Buffer }): DeadLetter => letter;
  return {
    count: () => redis.xlen(keys.deadLetterKey),
    async list(limit) {
      const entries = (await redis.xrangeBuffer(keys.deadLetterKey, "-", "+", "COUNT", limit)) as Array<[Buffer, Buffer[]]>;
      return entries.map((e) => withoutRaw(parse(e)));
    },
    async get(id) {
      const entry = await read(id);
      return entry && withoutRaw(entry);
    },
    async replay(id, mended) {
      const entry = await read(id);
      if (!entry) return "missing";
      if (!mended && !entry.event) return "undecodable";
      // Both or neither. A replay run twice queues the event twice; the database keeps one row per uuid.
      const done = await redis
        .multi()
        .xadd(keys.streamKey, "*", eventField, mended ? encodeQueuedEvent(mended) : entry.raw)
        .xdel(keys.deadLetterKey, id)
        .exec();
      const failed = done?.find(([err]) => err);
      if (failed) throw failed[0];
      return "replayed";
    },
    async drop(id) {
      return (await redis.xdel(keys.deadLetterKey, id)) > 0;
    },
  };
}
