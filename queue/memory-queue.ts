import { UnavailableError } from "../core/errors/domain-errors.js";
import { encodeQueuedEvent } from "../core/events/queued-event-codec.js";
import type { EventConsumer, EventPublisher, QueueEntry } from "./event-queue.js";

export interface MemoryQueueOptions {
  backlogWatermark: number;
  retryAfterSeconds: number;
  /** Entries read but not acked for this long are delivered again. */
  claimIdleMs: number;
  onDeadLetter?: (entry: QueueEntry, reason: string) => void;
}

export interface MemoryQueue extends EventPublisher, EventConsumer {
  /** Entries not yet acked (waiting or in flight). */
  size(): number;
}

/**
 * The in-process queue of the embedded mode: the same publish/read/ack
 * contract as the Redis Stream, for one process. Durable only as far as the
 * process lives; a graceful stop drains it into the database first.
 */
export function createMemoryQueue(opts: MemoryQueueOptions): MemoryQueue {
  const waiting: QueueEntry[] = [];
  let head = 0;
  const inFlight = new Map<string, { entry: QueueEntry; since: number }>();
  const wakers = new Set<() => void>();
  let seq = 0;

  function wake() {
    for (const w of wakers) w();
    wakers.clear();
  }

  function takeStale(max: number): QueueEntry[] {
    const now = Date.now();
    const out: QueueEntry[] = [];
    for (const [id, f] of inFlight) {
      if (out.length >= max) break;
      if (now - f.since < opts.claimIdleMs) continue;
      f.entry = { ...f.entry, deliveries: f.entry.deliveries + 1 };
      f.since = now;
      inFlight.set(id, f);
      out.push(f.entry);
    }
    return out;
  }

  function takeNew(max: number): QueueEntry[] {
    const out = waiting.slice(head, head + max);
    head += out.length;
    if (head > 1024 && head * 2 > waiting.length) {
      waiting.splice(0, head);
      head = 0;
    }
    const now = Date.now();
    for (const e of out) inFlight.set(e.id, { entry: e, since: now });
    return out;
  }

  return {
    async publish(events) {
      if (this.size() >= opts.backlogWatermark) {
        throw new UnavailableError(`the event queue is over its backlog watermark (${opts.backlogWatermark})`, opts.retryAfterSeconds);
      }
      for (const e of events) waiting.push({ id: `${Date.now()}-${seq++}`, raw: encodeQueuedEvent(e), deliveries: 1 });
      wake();
    },
    async ready() {
      return true;
    },
    async read(max, waitMs) {
      const stale = takeStale(max);
      if (stale.length > 0) return stale;
      if (head >= waiting.length && waitMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, waitMs);
          wakers.add(done);
          function done() {
            clearTimeout(timer);
            wakers.delete(done);
            resolve();
          }
        });
      }
      return takeNew(max);
    },
    async ack(ids) {
      for (const id of ids) inFlight.delete(id);
    },
    async keepAlive(ids) {
      const now = Date.now();
      for (const id of ids) {
        const f = inFlight.get(id);
        if (f) f.since = now;
      }
    },
    async deadLetter(items) {
      for (const { entry, reason } of items) {
        inFlight.delete(entry.id);
        opts.onDeadLetter?.(entry, reason);
      }
    },
    size() {
      return waiting.length - head + inFlight.size;
    },
    async close() {
      wake();
    },
  };
}
