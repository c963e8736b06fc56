import type { Logger } from "pino";
import { decodeQueuedEvent } from "../server/queue/queued-event-codec.js";
import type { EventConsumer, QueueEntry } from "../server/queue/event-queue.js";
import { backoffMs, sleep } from "./backoff.js";
import { writeIsolatingBadRows, type DecodedEntry } from "./batch-writer.js";
import type { EventSink } from "./sink/event-sink.js";

export interface ConsumerOptions {
  batchSize: number;
  /** How long to wait for a batch to fill before writing what is there. */
  lingerMs: number;
  /** Deliveries after which an entry goes to the dead-letter stream. */
  maxDeliveries: number;
  /** The queue's reclaim idle time: a batch held through an outage is kept alive more often than this. */
  claimIdleMs: number;
}

export interface Consumer {
  /** Runs until stop(); resolves once the batch in hand is stored and acked (or left pending in an outage). */
  run(): Promise<void>;
  stop(): void;
  /** Events stored so far by this consumer (for logs and benchmarks). */
  stored(): number;
}

/** read → decode → write → ack, with dead-lettering and outage backoff. */
export function createConsumer(deps: { queue: EventConsumer; sink: EventSink; logger: Logger; options: ConsumerOptions }): Consumer {
  const { queue, sink, logger, options } = deps;
  const stopping = new AbortController();
  let storedCount = 0;
  let outage = false;

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

  async function handle(batch: QueueEntry[]): Promise<void> {
    const dead: Array<{ entry: QueueEntry; reason: string }> = [];
    const good: DecodedEntry[] = [];
    for (const entry of batch) {
      if (entry.deliveries > options.maxDeliveries) {
        dead.push({ entry, reason: `not stored after ${entry.deliveries - 1} deliveries` });
        continue;
      }
      try {
        good.push({ entry, event: decodeQueuedEvent(entry.raw) });
      } catch (e) {
        dead.push({ entry, reason: `cannot decode: ${(e as Error).message}` });
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await writeIsolatingBadRows(sink, good);
        await queue.deadLetter([...dead, ...result.rejected]);
        await queue.ack(result.stored.map((e) => e.id));
        storedCount += result.stored.length;
        if ([...dead, ...result.rejected].length > 0) {
          logger.warn({ count: dead.length + result.rejected.length, first: (dead[0] ?? result.rejected[0]).reason }, "entries dead-lettered");
        }
        if (outage) logger.info({ database: sink.name }, "database reachable again; resuming");
        outage = false;
        return;
      } catch (e) {
        if (!outage) logger.warn({ database: sink.name, err: (e as Error).message }, "cannot store the batch; keeping it pending and retrying");
        outage = true;
        // Stopping mid-outage: leave the entries pending; another worker (or this one, restarted) takes them over.
        if (stopping.signal.aborted) return;
        await sleep(Math.min(backoffMs(attempt), options.claimIdleMs / 2), stopping.signal);
        if (stopping.signal.aborted) return;
        await queue.keepAlive(batch.map((e) => e.id)).catch(() => undefined); // still ours: not a dead consumer
      }
    }
  }

  return {
    async run() {
      for (let attempt = 0; !stopping.signal.aborted; ) {
        try {
          const batch = await readBatch();
          if (batch.length > 0) await handle(batch);
          attempt = 0;
        } catch (e) {
          // Queue unreachable: back off; entries stay in Redis.
          if (attempt === 0) logger.warn({ err: (e as Error).message }, "cannot read the queue; retrying");
          await sleep(backoffMs(attempt++), stopping.signal);
        }
      }
    },
    stop() {
      stopping.abort();
    },
    stored: () => storedCount,
  };
}
