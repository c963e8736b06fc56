import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { lockDataDir } from "../../core/data-dir-lock.js";
import { createDiskRoom } from "../../core/disk-room.js";
import { ConfigError } from "../../core/errors/config-error.js";
import { UnavailableError } from "../../core/errors/domain-errors.js";
import { encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import type { EventConsumer, EventPublisher, QueueEntry } from "../event-queue.js";
import { openAppendLog } from "./append-log.js";
import { createInMemoryDelivery } from "./in-memory-delivery.js";

export interface LocalQueueOptions {
  /** Where the log lives (DATA_DIR/queue); held locked while open. */
  dir: string;
  backlogWatermark: number;
  retryAfterSeconds: number;
  /** Entries read but not acked for this long are delivered again. */
  claimIdleMs: number;
  /** A segment file is closed and a new one begun past this size. */
  segmentBytes?: number;
  /** Below this much free space on the log's disk, events are refused (503) rather than written (0: never). */
  reserveBytes?: number;
  logger: Logger;
}

export interface LocalQueue extends EventPublisher, EventConsumer {
  /** Entries not yet stored (waiting or in flight). */
  size(): number;
}

/**
 * The in-process queue of the zero-configuration mode, durable: an event is
 * acknowledged only once its record is on disk (an append-only log, synced in
 * groups), and what was not yet stored when the process died is read back and
 * delivered at the next start. The database keeps one row per uuid, so an
 * event stored just before a crash and delivered again counts once.
 * Dead letters go to dead-letters.ndjson beside the log, with their reason.
 */
export async function openLocalQueue(opts: LocalQueueOptions): Promise<LocalQueue> {
  try {
    mkdirSync(opts.dir, { recursive: true });
  } catch (e) {
    throw new ConfigError("DATA_DIR", `cannot create the local queue's directory ${opts.dir}: ${(e as Error).message}`);
  }
  const unlock = lockDataDir(opts.dir);
  let log: Awaited<ReturnType<typeof openAppendLog>>;
  try {
    log = await openAppendLog(opts.dir, { segmentBytes: opts.segmentBytes ?? 64 << 20, logger: opts.logger });
  } catch (e) {
    unlock();
    throw e;
  }
  let seq = 0;
  const idOf = (segment: number) => `${segment}-${seq++}`;
  const segmentOf = (id: string) => Number(id.slice(0, id.indexOf("-")));
  const delivery = createInMemoryDelivery({
    claimIdleMs: opts.claimIdleMs,
    onDone(entries) {
      const bySegment = new Map<number, number>();
      for (const e of entries) {
        const segment = segmentOf(e.id);
        bySegment.set(segment, (bySegment.get(segment) ?? 0) + 1);
      }
      for (const [segment, count] of bySegment) log.release(segment, count);
    },
    onDeadLetter(items) {
      const lines = items.map(({ entry, reason }) =>
        JSON.stringify({ at: new Date().toISOString(), reason, deliveries: entry.deliveries, event: Buffer.from(entry.raw).toString("base64") }),
      );
      if (lines.length > 0) appendFileSync(join(opts.dir, "dead-letters.ndjson"), `${lines.join("\n")}\n`);
      for (const { reason } of items) opts.logger.error({ reason, file: join(opts.dir, "dead-letters.ndjson") }, "event dead-lettered");
    },
  });
  if (log.recovered.length > 0) {
    delivery.add(log.recovered.map(({ segment, payload }) => ({ id: idOf(segment), raw: payload, deliveries: 1 })));
    opts.logger.info({ events: log.recovered.length, dir: opts.dir }, "local queue: events not yet stored at the last stop are delivered now");
  }

  let closing: Promise<void> | undefined;
  const room = createDiskRoom(opts.dir);
  const reserve = opts.reserveBytes ?? 0;
  return {
    ...delivery,
    async publish(events) {
      if (delivery.size() >= opts.backlogWatermark) {
        throw new UnavailableError(`the event queue is over its backlog watermark (${opts.backlogWatermark})`, opts.retryAfterSeconds);
      }
      if (reserve > 0 && room.freeBytes() < reserve) {
        throw new UnavailableError(`DATA_DIR's disk has less than ${Math.round(reserve / 1048576)} MB free (DATA_DIR_RESERVE_MB)`, opts.retryAfterSeconds);
      }
      const raws = events.map(encodeQueuedEvent);
      let segment: number;
      try {
        segment = await log.append(raws);
      } catch (e) {
        opts.logger.error({ err: (e as Error).message, dir: opts.dir }, "local queue: cannot write to disk");
        throw new UnavailableError("the event queue cannot write to disk", opts.retryAfterSeconds);
      }
      delivery.add(raws.map((raw): QueueEntry => ({ id: idOf(segment), raw, deliveries: 1 })));
    },
    async ready() {
      return true;
    },
    close() {
      // Both sides of the queue close it (publisher and consumer): once.
      closing ??= (async () => {
        await delivery.close();
        await log.close();
        unlock();
      })();
      return closing;
    },
  };
}
