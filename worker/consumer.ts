import type { Logger } from "pino";
import { backoffMs, sleep } from "../core/backoff.js";
import { personChangeOf } from "../core/events/person-change.js";
import { decodeQueuedEvent } from "../core/events/queued-event-codec.js";
import type { EngineMetrics } from "../core/metrics/engine-metrics.js";
import type { EventConsumer, QueueEntry } from "../queue/event-queue.js";
import type { EventSink } from "../storage/event-sink.js";
import { StorageUnavailableError, UnstorableRowError } from "../storage/storage-errors.js";
import { type DecodedEntry, writeIsolatingBadRows } from "./batch-writer.js";

export interface ConsumerOptions {
  batchSize: number;
  /** How long to wait for a batch to fill before writing what is there. */
  lingerMs: number;
  /** Deliveries after which an entry goes to the dead-letter stream. */
  maxDeliveries: number;
  /** The queue's reclaim idle time: a batch held through an outage is kept alive more often than this. */
  claimIdleMs: number;
  /** Batches being written at once (1 = one after the other). */
  concurrentWrites: number;
}

export interface Consumer {
  /** Runs until stop(); resolves once the batches in hand (and the one read ahead) are stored and acked, or left pending in an outage. */
  run(): Promise<void>;
  stop(): void;
  /** Events stored so far by this consumer (for logs and benchmarks). */
  stored(): number;
}

interface Prepared {
  batch: QueueEntry[];
  good: DecodedEntry[];
  dead: Array<{ entry: QueueEntry; reason: string }>;
}

/** read → decode → write → ack, with dead-lettering and outage backoff. */
export function createConsumer(deps: { queue: EventConsumer; sink: EventSink; logger: Logger; options: ConsumerOptions; metrics?: EngineMetrics }): Consumer {
  const { queue, sink, logger, options, metrics } = deps;
  const stopping = new AbortController();
  let storedCount = 0;
  let outage = false;
  let acking: Promise<void> = Promise.resolve();
  const writing = new Set<Promise<void>>();
  let queuedAcks = 0;

  async function readBatch(): Promise<QueueEntry[]> {
    const batch = await queue.read(options.batchSize, options.lingerMs);
    const deadline = Date.now() + options.lingerMs;
    while (batch.length > 0 && batch.length < options.batchSize && Date.now() < deadline && !stopping.signal.aborted) {
      const more = await queue.read(options.batchSize - batch.length, Math.max(1, deadline - Date.now()));
      if (more.length === 0) break;
      batch.push(...more);
    }
    return batch;
  }

  /** Decodes and encodes a batch for the sink; what cannot be stored goes to the dead-letter stream with it. */
  function prepare(batch: QueueEntry[]): Prepared {
    const dead: Array<{ entry: QueueEntry; reason: string }> = [];
    const good: DecodedEntry[] = [];
    for (const entry of batch) {
      if (entry.deliveries > options.maxDeliveries) {
        dead.push({ entry, reason: `not stored after ${entry.deliveries - 1} deliveries` });
        continue;
      }
      try {
        const row = sink.encodeRaw?.(entry.raw) ?? sink.encode(decodeQueuedEvent(entry.raw));
        good.push({ entry, row, person: personChangeOf(entry.raw) });
      } catch (e) {
        const refused = e instanceof UnstorableRowError;
        dead.push({ entry, reason: `${refused ? `${sink.name} refused the row` : "cannot decode"}: ${(e as Error).message}` });
      }
    }
    return { batch, good, dead };
  }

  /**
   * Dead-letters and acknowledges a stored batch while the next ones are being
   * written (awaited in turn, it was ~8% of the drain's wall time, and holding
   * a write slot for it kept ClickHouse waiting). If Redis
   * refuses, the entries stay pending and are delivered again; the database
   * keeps one row per uuid, so queries see them once.
   */
  async function settle(rejected: Array<{ entry: QueueEntry; reason: string }>, stored: QueueEntry[]): Promise<void> {
    queuedAcks--;
    try {
      await queue.deadLetter(rejected);
      await queue.ack(stored.map((e) => e.id));
      storedCount += stored.length;
      metrics?.storedEvents.inc(stored.length);
      metrics?.deadLettered.inc(rejected.length);
      if (rejected.length > 0) logger.warn({ count: rejected.length, first: rejected[0].reason }, "entries dead-lettered");
    } catch (e) {
      logger.warn({ err: (e as Error).message }, "cannot acknowledge a stored batch; its entries will be delivered again (stored once)");
    }
  }

  async function handle(prepared: Prepared, readAhead: () => QueueEntry[]): Promise<void> {
    // While this batch is written, it and the batch read ahead stay claimed: a
    // slow write must not let a reclaim (this worker's own read-ahead included)
    // deliver them again.
    const keeper = setInterval(() => {
      queue.keepAlive([...prepared.batch, ...readAhead()].map((e) => e.id)).catch(() => undefined);
    }, options.claimIdleMs / 2);
    keeper.unref();
    try {
      await write(prepared, readAhead);
    } finally {
      clearInterval(keeper);
    }
  }

  async function write({ batch, good, dead }: Prepared, readAhead: () => QueueEntry[]): Promise<void> {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await writeIsolatingBadRows(sink, good);
        metrics?.batchEvents.observe(batch.length);
        metrics?.batchSeconds.observe((performance.now() - started) / 1000);
        if (result.rejected.length > 0) metrics?.databaseErrors.inc({ operation: "write", class: "refused" }, result.rejected.length);
        for (const { change, reason } of result.peopleRefused) {
          logger.warn({ project: change.projectId, reason }, "person properties refused by the database; the event is stored without them");
        }
        // Acknowledgements go one at a time, in the background: the next insert need not wait for
        // them, unless more are queued than batches are written at once (Redis slower than the database).
        acking = acking.then(() => settle([...dead, ...result.rejected], result.stored));
        if (++queuedAcks > Math.max(1, options.concurrentWrites)) await acking;
        if (outage) logger.info({ database: sink.name }, "database reachable again; resuming");
        outage = false;
        return;
      } catch (e) {
        const failure = e instanceof StorageUnavailableError ? "unavailable" : "error";
        metrics?.batchFailures.inc({ class: failure });
        metrics?.databaseErrors.inc({ operation: "write", class: failure });
        if (!outage) logger.warn({ database: sink.name, err: (e as Error).message }, "cannot store the batch; keeping it pending and retrying");
        outage = true;
        // Stopping mid-outage: leave the entries pending; another worker (or this one, restarted) takes them over.
        if (stopping.signal.aborted) return;
        await sleep(Math.min(backoffMs(attempt), options.claimIdleMs / 2), stopping.signal);
        if (stopping.signal.aborted) return;
        await queue.keepAlive([...batch, ...readAhead()].map((e) => e.id)).catch(() => undefined); // still ours: not a dead consumer
      }
    }
  }

  /**
   * Reads one batch ahead, and writes up to `concurrentWrites` batches at
   * once: the next batch is read and decoded while the database stores the
   * ones before it (done in turn, the database sat idle between inserts and
   * the drain stayed below the raw insert rate). Entries read ahead are
   * pending for this consumer like the batches in hand, and are kept alive
   * with them through an outage.
   */
  async function consume(): Promise<void> {
    let next: Promise<Prepared> | undefined;
    let ahead: QueueEntry[] = []; // next's entries, once read
    const readAhead = () => {
      ahead = [];
      next = readBatch().then((b) => prepare((ahead = b)));
      next.catch(() => undefined); // awaited on the next turn
    };
    for (let attempt = 0; ; ) {
      try {
        if (!next) {
          if (stopping.signal.aborted) return;
          readAhead();
        }
        const prepared = await next!;
        next = undefined;
        if (stopping.signal.aborted && outage) return; // leave it pending: writing now would only fail again
        if (!stopping.signal.aborted) readAhead();
        if (prepared.batch.length > 0) {
          const done: Promise<void> = handle(prepared, () => ahead)
            .catch((e: unknown) => logger.error({ err: (e as Error).message }, "batch write failed; its entries stay pending"))
            .finally(() => writing.delete(done));
          writing.add(done);
          if (writing.size >= Math.max(1, options.concurrentWrites)) await Promise.race(writing);
        }
        attempt = 0;
      } catch (e) {
        next = undefined;
        if (stopping.signal.aborted) return;
        // Queue unreachable: back off; entries stay in Redis.
        if (attempt === 0) logger.warn({ err: (e as Error).message }, "cannot read the queue; retrying");
        await sleep(backoffMs(attempt++), stopping.signal);
      }
    }
  }

  return {
    async run() {
      try {
        await consume();
      } finally {
        await Promise.all(writing);
        await acking;
      }
    },
    stop() {
      stopping.abort();
    },
    stored: () => storedCount,
  };
}
