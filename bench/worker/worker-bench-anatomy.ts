/**
 * Where a drain's wall time goes, measured without touching worker code: the
 * queue and sink handed to startWorker are wrapped with timers. The consumer
 * runs one batch at a time, so read + insert + ack + the rest (decode, row
 * mapping, loop) add up to the wall time.
 */
import type { EventConsumer } from "../../queue/event-queue.js";
import type { EventSink } from "../../storage/event-sink.js";

export interface Anatomy {
  readMs: number;
  reads: number;
  insertMs: number;
  inserts: number;
  ackMs: number;
}

export function newAnatomy(): Anatomy {
  return { readMs: 0, reads: 0, insertMs: 0, inserts: 0, ackMs: 0 };
}

async function clocked<T>(add: (ms: number) => void, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    add(performance.now() - t0);
  }
}

// Spread first: any method the seam gains later passes through untimed (queue and sink are plain objects).
export function timedQueue(q: EventConsumer, a: Anatomy): EventConsumer {
  return {
    ...q,
    read: (max, waitMs) =>
      clocked(
        (ms) => {
          a.readMs += ms;
          a.reads++;
        },
        () => q.read(max, waitMs),
      ),
    ack: (ids) =>
      clocked(
        (ms) => (a.ackMs += ms),
        () => q.ack(ids),
      ),
    deadLetter: (items) =>
      clocked(
        (ms) => (a.ackMs += ms),
        () => q.deadLetter(items),
      ),
  };
}

export function timedSink(s: EventSink, a: Anatomy): EventSink {
  return {
    ...s,
    insert: (events) =>
      clocked(
        (ms) => {
          a.insertMs += ms;
          a.inserts++;
        },
        () => s.insert(events),
      ),
  };
}

/** "read 21% · insert 52% · ack 9% · rest 18% (decode, mapping)" plus per-batch milliseconds. */
export function describeAnatomy(a: Anatomy, wallSeconds: number): string {
  const wall = wallSeconds * 1000;
  const rest = Math.max(0, wall - a.readMs - a.insertMs - a.ackMs);
  const p = (ms: number) => `${((100 * ms) / wall).toFixed(0)}%`;
  const per = (ms: number) => (a.inserts ? (ms / a.inserts).toFixed(0) : "?");
  return (
    `read ${p(a.readMs)} · insert ${p(a.insertMs)} · ack ${p(a.ackMs)} · rest ${p(rest)} (decode, mapping); ` +
    `per batch ms: read ${per(a.readMs)} (${a.reads} reads), insert ${per(a.insertMs)}, ack ${per(a.ackMs)}, rest ${per(rest)}`
  );
}
