import type { EventConsumer, QueueEntry } from "../event-queue.js";

export interface InMemoryDelivery extends EventConsumer {
  /** Makes entries available to read, after those already waiting. */
  add(entries: readonly QueueEntry[]): void;
  /** Entries not yet acked (waiting or in flight). */
  size(): number;
}

/**
 * The consuming side of the in-process queue: the same read / ack / reclaim
 * contract as the Redis Stream's consumer group, for one process. Entries
 * read but not acked for `claimIdleMs` are delivered again. `onDone` hears
 * of every entry acked or dead-lettered (the local log releases its records).
 */
export function createInMemoryDelivery(opts: {
  claimIdleMs: number;
  onDone(entries: readonly QueueEntry[]): void;
  onDeadLetter(items: ReadonlyArray<{ entry: QueueEntry; reason: string }>): void;
}): InMemoryDelivery {
  const waiting: QueueEntry[] = [];
  let head = 0;
  const inFlight = new Map<string, { entry: QueueEntry; since: number }>();
  const wakers = new Set<() => void>();

  function wake() {
    for (const w of wakers) w();
    wakers.clear();
  }

  function takeStale(max: number): QueueEntry[] {
    const now = Date.now();
    const out: QueueEntry[] = [];
    for (const f of inFlight.values()) {
      if (out.length >= max) break;
      if (now - f.since < opts.claimIdleMs) continue;
      f.entry = { ...f.entry, deliveries: f.entry.deliveries + 1 };
      f.since = now;
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

  function settle(ids: readonly string[]): QueueEntry[] {
    const done: QueueEntry[] = [];
    for (const id of ids) {
      const f = inFlight.get(id);
      if (!f) continue; // acked twice (a reclaimed entry stored by both deliveries)
      inFlight.delete(id);
      done.push(f.entry);
    }
    return done;
  }

  return {
    add(entries) {
      for (const e of entries) waiting.push(e);
      wake();
    },
    size() {
      return waiting.length - head + inFlight.size;
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
      opts.onDone(settle(ids));
    },
    async keepAlive(ids) {
      const now = Date.now();
      for (const id of ids) {
        const f = inFlight.get(id);
        if (f) f.since = now;
      }
    },
    async deadLetter(items) {
      const done = settle(items.map((i) => i.entry.id));
      const ids = new Set(done.map((e) => e.id));
      opts.onDeadLetter(items.filter((i) => ids.has(i.entry.id)));
      opts.onDone(done);
    },
    async close() {
      wake();
    },
  };
}
