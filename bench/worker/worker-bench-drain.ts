/**
 * One worker drain trial: pre-fill a fresh stream, then run the real consumer
 * (openDatabase + openRedisConsumer + startWorker, as main/worker-process.ts does) until it
 * has stored every event; events/s = N / elapsed. Bounded by `timeoutMs`.
 */
import os from "node:os";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { loadConfig } from "../../core/config/config.js";
import { openRedisConsumer } from "../../queue/redis/redis-consumer-open.js";
import { streamLayoutOf } from "../../queue/redis/stream-layout.js";
import { openDatabase } from "../../storage/open-database.js";
import { startWorker } from "../../worker/worker-runtime.js";
import { describeAnatomy, newAnatomy, timedQueue, timedSink } from "./worker-bench-anatomy.js";
import { type CpuProbe, perEvent } from "./worker-bench-cpu.js";
import { fillStream } from "./worker-bench-events.js";

export interface Timed {
  seconds: number;
  rate: number;
  /** CPU of this process per event (µs): the worker itself, or the ceiling's client. */
  cpuMicrosPerEvent: number;
  /** Busy cores of the whole machine meanwhile (2 = saturated here). */
  machineCores: number;
  /** CPU µs per event of this process ("node"), Redis and the local database server, when probed. */
  cpu: Record<string, number>;
  /** Worker drains only: where the wall time went (see worker-bench-anatomy.ts). */
  anatomy?: string;
  note?: string;
}

const machineBusySeconds = () => os.cpus().reduce((t, c) => t + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0) / 1000;

/** Times `fn` (which handles `n` events) and the CPU this process spent in it. */
export async function timed(n: number, fn: () => Promise<unknown>, probe?: CpuProbe): Promise<Timed> {
  const others0 = (await probe?.()) ?? {};
  const cpu0 = process.cpuUsage();
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const note = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const machineCores = (machineBusySeconds() - busy0) / seconds;
  const cpuMicrosPerEvent = (cpu.user + cpu.system) / n;
  const others = probe ? perEvent(others0, await probe(), n) : {};
  return {
    seconds,
    rate: n / seconds,
    cpuMicrosPerEvent,
    machineCores,
    cpu: { node: cpuMicrosPerEvent, ...others },
    note: typeof note === "string" && note !== "" ? note : undefined,
  };
}

export interface DrainOptions {
  redis: Redis;
  /** REDIS_URL and the database variables (DATABASE_TYPE, CLICKHOUSE_* or POSTGRES_*) of a fresh database. */
  env: Record<string, string>;
  streamKey: string;
  batchSize: number;
  entries: readonly Buffer[];
  logger: Logger;
  timeoutMs: number;
  /** Rows in the database's events table afterwards (a check that every event arrived once). */
  countRows(): Promise<number>;
  /** Consumers draining at once, each on its own connection as separate workers would be (1). */
  workers?: number;
  probe?: CpuProbe;
  /** Wraps the timed section (the CPU profiler hooks in here). */
  around?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export async function workerDrain(o: DrainOptions): Promise<Timed> {
  const n = o.entries.length;
  if (!o.env.REDIS_URL) throw new Error("workerDrain: env.REDIS_URL is required (else the worker would use the default Redis)");
  const config = loadConfig({ ...o.env, REDIS_QUEUE: o.streamKey, WORKER_BATCH_SIZE: String(o.batchSize), LOG_LEVEL: "warn" });
  const layout = streamLayoutOf(config);
  const keys = layout.sources.flatMap((s) => [s.streamKey, s.deadLetterKey]);
  try {
    await fillStream(o.redis, layout, o.entries, o.timeoutMs);
    const database = await openDatabase(config.database, o.logger, { retryAfterSeconds: 1 });
    const consumers = await Promise.all(Array.from({ length: o.workers ?? 1 }, () => openRedisConsumer(config, o.logger))).catch(async (e: unknown) => {
      await database.close();
      throw e;
    });
    let result: Timed;
    const anatomy = newAnatomy();
    try {
      const run = () =>
        timed(
          n,
          async () => {
            const workers = consumers.map((consumer) =>
              startWorker({ options: config.worker, logger: o.logger, queue: timedQueue(consumer, anatomy), sink: timedSink(database.sink, anatomy) }),
            );
            const stored = () => workers.reduce((a, w) => a + w.consumer.stored(), 0);
            const deadline = Date.now() + o.timeoutMs;
            try {
              while (stored() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
            } finally {
              await Promise.all(workers.map((w) => w.stop()));
            }
            if (stored() < n) return `timed out: ${stored()} of ${n} stored in ${o.timeoutMs} ms`;
          },
          o.probe,
        );
      result = o.around ? await o.around(run) : await run();
      result.anatomy = describeAnatomy(anatomy, result.seconds);
    } finally {
      await Promise.all(consumers.map((c) => c.close()));
      await database.close();
    }
    const rows = await o.countRows();
    const dead = (await Promise.all(layout.sources.map((s) => o.redis.xlen(s.deadLetterKey)))).reduce((a, b) => a + b, 0);
    if (rows !== n || dead > 0) result.note = [result.note, `${rows} rows stored for ${n} events, ${dead} dead-lettered`].filter(Boolean).join("; ");
    return result;
  } finally {
    await o.redis.unlink(...keys);
  }
}
