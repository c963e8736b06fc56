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
  /** The dataset's end; defaults to the start of the current UTC hour, so reruns within the hour give the same times. */
  now?: number;
  /** Events per yielded chunk. */
  chunkSize?: number;
}

/** Sort and release the pending events once this many are waiting (at least). */
const minFlushAt = 4096;

/**
 * Streams a synthetic dataset in time order, in chunks. The same seed gives the
 * same event uuids, whatever `now` is (they come from the seed and the event's
 * place in the dataset), so a rerun is idempotent at the database: it counts
 * once. The same seed and `now` give the same events altogether.
 *
 * Memory: a day is planned as compact visit specs; visits are then rebuilt in
 * start order and their events released as soon as no later visit can precede
 * them, so only the visits in progress hold events.
 */
export function* demoEvents(opts: DemoOptions): Generator<DemoEvent[], void, undefined> {
  const chunkSize = Math.max(1, Math.floor(opts.chunkSize ?? 500));
  if (!(opts.events >= 1)) return;
  const plan = planDemo({ events: Math.floor(opts.events), days: opts.days, seed: opts.seed, now: opts.now ?? startOfHour(Date.now()) });
  const state = plannerState(plan);
  const pick = createRng(opts.seed, 2);
  const uuidRng = createRng(opts.seed, 4);
  let pending: DemoEvent[] = [];
  let chunk: DemoEvent[] = [];
  let flushAt = minFlushAt;

  // Releases the pending events earlier than `beforeMs`, in time order.
  function* release(beforeMs: number): Generator<DemoEvent[], void, undefined> {
    pending.sort((a, b) => a.timestampMs - b.timestampMs); // stable: a visit keeps its order
    let i = 0;
    for (; i < pending.length && pending[i].timestampMs < beforeMs; i++) {
      const e = pending[i];
      e.uuid = seededUuid(uuidRng);
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

const startOfHour = (ms: number) => ms - (ms % 3_600_000);

/** A version 4 UUID whose 122 random bits come from the seeded generator. */
function seededUuid(rng: ReturnType<typeof createRng>): string {
  const bytes = Buffer.alloc(16);
  for (let b = 0; b < 16; b++) bytes[b] = rng.int(256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
