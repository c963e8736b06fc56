import { v7 as uuidv7 } from "uuid";
import { planDayVisits, plannerState } from "./day-visits.js";
import { planDemo } from "./demo-plan.js";
import { createRng } from "./random.js";
import { type DemoEvent, visitEvents } from "./session-events.js";

export type { DemoEvent } from "./session-events.js";

export interface DemoOptions {
  /** Exactly this many events are generated. */
  events: number;
  /** Events fall within [now - days, now]. */
  days: number;
  seed: number;
  /** Defaults to Date.now(); fix it for reproducible output. */
  now?: number;
  /** Events per yielded chunk. */
  chunkSize?: number;
}

/** Sort and release the pending events once this many are waiting (at least). */
const minFlushAt = 4096;

/**
 * Streams a synthetic dataset in time order, in chunks. The same options (seed
 * and now) give the same events, uuids included: uuids are UUIDv7 of the event
 * time, so a rerun with the same seed and `now` is idempotent at the database
 * while a later run adds new events.
 *
 * Memory: a day is planned as compact visit specs; visits are then rebuilt in
 * start order and their events released as soon as no later visit can precede
 * them, so only the visits in progress hold events.
 */
export function* demoEvents(opts: DemoOptions): Generator<DemoEvent[], void, undefined> {
  const chunkSize = Math.max(1, Math.floor(opts.chunkSize ?? 500));
  if (!(opts.events >= 1)) return;
  const plan = planDemo({ events: Math.floor(opts.events), days: opts.days, seed: opts.seed, now: opts.now ?? Date.now() });
  const state = plannerState(plan);
  const pick = createRng(opts.seed, 2);
  const uuidRng = createRng(opts.seed, 4);
  const random = new Uint8Array(16);
  let emitted = 0;
  let pending: DemoEvent[] = [];
  let chunk: DemoEvent[] = [];
  let flushAt = minFlushAt;

  // Releases the pending events earlier than `beforeMs`, in time order.
  function* release(beforeMs: number): Generator<DemoEvent[], void, undefined> {
    pending.sort((a, b) => a.timestampMs - b.timestampMs); // stable: a visit keeps its order
    let i = 0;
    for (; i < pending.length && pending[i].timestampMs < beforeMs; i++) {
      const e = pending[i];
      for (let b = 10; b < 16; b++) random[b] = uuidRng.int(256); // the only random bytes v7 reads when seq is given
      e.uuid = uuidv7({ msecs: e.timestampMs, seq: emitted++, random });
      chunk.push(e);
      if (chunk.length === chunkSize) {
        yield chunk;
        chunk = [];
      }
    }
    pending = pending.slice(i);
  }

  for (let d = 0; d < plan.days; d++) {
    for (const visit of planDayVisits(plan, d, state, pick, opts.seed)) {
      if (pending.length >= flushAt) {
        yield* release(visit.startMs);
        flushAt = Math.max(minFlushAt, 2 * pending.length); // many visits in progress: sort less often
      }
      for (const e of visitEvents(visit, plan.endMs, opts.seed)) pending.push(e);
    }
  }
  yield* release(Infinity);
  if (chunk.length > 0) yield chunk;
}
