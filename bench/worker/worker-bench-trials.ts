/**
 * Drain trials: after an unmeasured warm-up, for each round and batch size a
 * fresh database holding both the worker's `events` table and the ceiling's
 * identical table; worker and ceiling run back to back (order alternating by round).
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { StoredEvent } from "../../core/events/event-model.js";
import type { CpuProbe } from "./worker-bench-cpu.js";
import { type Timed, timed, workerDrain } from "./worker-bench-drain.js";
import type { Trial } from "./worker-bench-report.js";

export interface TrialPlan {
  runId: string;
  redisUrl: string;
  redis: Redis;
  events: readonly StoredEvent[];
  entries: readonly Buffer[];
  batchSizes: readonly number[];
  rounds: number;
  /** QUEUE_PARTITIONS of the drains, and how many consumers drain at once. */
  partitions: number;
  workers: number;
  logger: Logger;
  log(msg: string): void;
  /** Wraps one extra, unmeasured worker drain (the CPU profile); omitted: no extra drain. */
  profile?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Receives the profiled drain's figures. */
  profiled?: (kind: string, batchSize: number, t: Timed) => void;
}

export interface Db {
  env: Record<string, string>;
  countRows(): Promise<number>;
  ceiling(batchSize: number, count: number): Promise<{ run(): Promise<void>; count(): Promise<number>; close(): Promise<void>; name?: string }>;
  drop(): Promise<void>;
  /** Resolves once the server has no background work left from the last phase (ClickHouse merges). */
  quiet?(): Promise<void>;
}

/**
 * Lets the database finish background work (merges, checkpoints) from the
 * previous measurement, so neither side of a pair pays for the other's: the
 * ClickHouse ceiling's server CPU per event swung 3-10 µs with a fixed pause.
 */
const settle = async (db: Db) => {
  await new Promise((r) => setTimeout(r, 2000));
  await db.quiet?.();
};

export async function runTrials(
  kind: string,
  p: TrialPlan,
  fresh: (name: string) => Promise<Db>,
  probe: CpuProbe,
  onCeilingName: (n: string) => void,
): Promise<Trial[]> {
  const trials: Trial[] = [];
  const drain = async (db: Db, batchSize: number, key: string, around?: TrialPlan["profile"], count = p.entries.length) => {
    const entries = p.entries.slice(0, count);
    await settle(db);
    const env = { ...db.env, REDIS_URL: p.redisUrl, QUEUE_PARTITIONS: String(p.partitions) };
    return workerDrain({
      redis: p.redis,
      env,
      streamKey: key,
      batchSize,
      workers: p.workers,
      entries,
      logger: p.logger,
      timeoutMs: drainTimeoutMs(count),
      countRows: db.countRows,
      around,
      probe,
    });
  };
  const ceiling = async (db: Db, batchSize: number, count = p.entries.length): Promise<Timed> => {
    const c = await db.ceiling(batchSize, count);
    if (c.name) onCeilingName(c.name);
    try {
      await settle(db);
      const t = await timed(count, () => c.run(), probe);
      const rows = await c.count();
      if (rows !== count) t.note = `ceiling stored ${rows} rows for ${count}`;
      return t;
    } finally {
      await c.close();
    }
  };
  // Warm-up (not counted): JIT-compiles the worker and client code paths so round 1 is not measured cold.
  const warm = await fresh(`wb_${p.runId}_${kind}_warm`);
  try {
    const count = Math.min(p.entries.length, 20_000);
    await drain(warm, p.batchSizes[0], `bench:worker:${p.runId}:${kind}:warm`, undefined, count);
    await ceiling(warm, p.batchSizes[0], count);
  } finally {
    await warm.drop();
  }
  for (let round = 1; round <= p.rounds; round++) {
    const sizes = round % 2 ? p.batchSizes : [...p.batchSizes].reverse();
    for (const batchSize of sizes) {
      const db = await fresh(`wb_${p.runId}_${kind}_${batchSize}_${round}`);
      try {
        const key = `bench:worker:${p.runId}:${kind}:${batchSize}:${round}`;
        const workerFirst = round % 2 === 1;
        const first = workerFirst ? await drain(db, batchSize, key) : await ceiling(db, batchSize);
        const second = workerFirst ? await ceiling(db, batchSize) : await drain(db, batchSize, key);
        const t = { batchSize, round, worker: workerFirst ? first : second, ceiling: workerFirst ? second : first };
        trials.push(t);
        p.log(
          `${kind} batch ${batchSize} round ${round}: worker ${t.worker.rate.toFixed(0)}/s, ceiling ${t.ceiling.rate.toFixed(0)}/s${t.worker.note ? ` (${t.worker.note})` : ""}`,
        );
      } finally {
        await db.drop();
      }
    }
  }
  if (p.profile) {
    const bestSize = [...p.batchSizes].sort((a, b) => rateOf(trials, b) - rateOf(trials, a))[0];
    const db = await fresh(`wb_${p.runId}_${kind}_prof`);
    try {
      p.profiled?.(kind, bestSize, await drain(db, bestSize, `bench:worker:${p.runId}:${kind}:prof`, p.profile));
    } finally {
      await db.drop();
    }
  }
  return trials;
}

/** A drain slower than 2k events/s (or 30 s) counts as stuck. */
export const drainTimeoutMs = (events: number) => Math.max(30_000, events / 2);

const rateOf = (ts: Trial[], size: number) => Math.max(...ts.filter((t) => t.batchSize === size).map((t) => t.worker.rate));
