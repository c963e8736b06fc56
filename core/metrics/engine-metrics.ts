import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** One queue partition's state, read when /metrics is scraped. */
export interface PartitionStats {
  partition: string;
  /** Entries in the stream (read or not, until trimmed). */
  length: number;
  /** Delivered to a worker, not yet acknowledged. */
  pending?: number;
  /** Not yet delivered to any worker of the group (consumer lag); absent when Redis cannot tell. */
  lag?: number;
  deadLetters?: number;
}

/**
 * Every figure the engine exports (Prometheus, prom-client), one registry per
 * process: requests by protocol, route and outcome with their latency; events
 * captured by outcome; the queue per partition, read at scrape time; the
 * worker's batches; database failures by class; Node's own (heap, event loop).
 */
export interface EngineMetrics {
  readonly registry: Registry;
  readonly requests: Counter<"protocol" | "route" | "outcome">;
  readonly requestSeconds: Histogram<"protocol" | "route">;
  /** queued, rejected (the event's own fault), refused (the queue could not take it). */
  readonly capturedEvents: Counter<"outcome">;
  readonly batchEvents: Histogram;
  readonly batchSeconds: Histogram;
  readonly batchFailures: Counter<"class">;
  readonly storedEvents: Counter;
  readonly deadLettered: Counter;
  /** operation: write (the worker) or query (analytics); class: unavailable (kept, retried) or refused. */
  readonly databaseErrors: Counter<"operation" | "class">;
  /** Reads the queue's state at each scrape (a queue in another process, as a worker's, is read from Redis). */
  observeQueue(read: () => Promise<readonly PartitionStats[]>): void;
}

const prefix = "insightplus_";

export function createEngineMetrics(): EngineMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  let readQueue: (() => Promise<readonly PartitionStats[]>) | undefined;
  let lastRead: Promise<readonly PartitionStats[]> | undefined;
  // One read of the queue per scrape, shared by its four gauges.
  const queueStats = () => (lastRead ??= (readQueue?.() ?? Promise.resolve([])).finally(() => setTimeout(() => (lastRead = undefined), 100).unref()));
  const queueGauge = (name: string, help: string, pick: (p: PartitionStats) => number | undefined) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames: ["partition"],
      registers,
      async collect() {
        this.reset();
        for (const p of await queueStats().catch(() => [])) {
          const value = pick(p);
          if (value !== undefined) this.set({ partition: p.partition }, value);
        }
      },
    });
  queueGauge("queue_length", "Entries in each queue partition (read or not, until trimmed)", (p) => p.length);
  queueGauge("queue_pending", "Entries delivered to a worker and not yet acknowledged, per partition", (p) => p.pending);
  queueGauge("queue_lag", "Entries no worker has been given yet, per partition (consumer lag)", (p) => p.lag);
  queueGauge("queue_dead_letters", "Entries set aside as not storable, per partition", (p) => p.deadLetters);
  return {
    registry,
    requests: new Counter({
      name: `${prefix}requests_total`,
      help: "Requests by protocol, route and outcome",
      labelNames: ["protocol", "route", "outcome"],
      registers,
    }),
    requestSeconds: new Histogram({
      name: `${prefix}request_duration_seconds`,
      help: "Time from a request's arrival to its answer, by protocol and route",
      labelNames: ["protocol", "route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    capturedEvents: new Counter({ name: `${prefix}captured_events_total`, help: "Events captured, by outcome", labelNames: ["outcome"], registers }),
    batchEvents: new Histogram({
      name: `${prefix}worker_batch_events`,
      help: "Events in each batch a worker wrote",
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000],
      registers,
    }),
    batchSeconds: new Histogram({
      name: `${prefix}worker_batch_duration_seconds`,
      help: "Time to store a batch, retries included",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    batchFailures: new Counter({
      name: `${prefix}worker_batch_failures_total`,
      help: "Batch writes that failed and were kept to retry",
      labelNames: ["class"],
      registers,
    }),
    storedEvents: new Counter({ name: `${prefix}worker_stored_events_total`, help: "Events stored and acknowledged by workers", registers }),
    deadLettered: new Counter({ name: `${prefix}worker_dead_lettered_total`, help: "Entries workers set aside as not storable", registers }),
    databaseErrors: new Counter({
      name: `${prefix}database_errors_total`,
      help: "Database failures by operation and class",
      labelNames: ["operation", "class"],
      registers,
    }),
    observeQueue(read) {
      readQueue = read;
    },
  };
}
