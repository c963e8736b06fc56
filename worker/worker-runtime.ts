import type { Logger } from "pino";
import type { AccessStore, EventEraser } from "../access/access-store.js";
import type { WorkerConfig } from "../core/config/config.js";
import type { EngineMetrics } from "../core/metrics/engine-metrics.js";
import type { EventConsumer } from "../queue/event-queue.js";
import type { RollupUpkeep } from "../storage/database.js";
import type { EventSink } from "../storage/event-sink.js";
import { type Consumer, createConsumer } from "./consumer.js";
import { startPeriodicJob } from "./periodic-job.js";
import { startRetentionSweeper } from "./retention-sweeper.js";

export interface RunningWorker {
  consumer: Consumer;
  /** Stops reading, finishes and acks the batches in hand. The queue stays open: whoever opened it closes it. */
  stop(): Promise<void>;
}

/**
 * Starts the consume loop on a queue into a sink, and, given the database's
 * projects and eraser, the retention sweeper beside it; given rollups kept
 * apart from inserts, their upkeep.
 */
export function startWorker(deps: {
  options: WorkerConfig;
  logger: Logger;
  queue: EventConsumer;
  sink: EventSink;
  retention?: { access: AccessStore; eraser: EventEraser };
  rollups?: RollupUpkeep;
  metrics?: EngineMetrics;
}): RunningWorker {
  const { options, logger, queue, sink } = deps;
  const consumer = createConsumer({
    queue,
    sink,
    logger: logger.child({ component: "worker" }),
    metrics: deps.metrics,
    options: {
      batchSize: options.batchSize,
      lingerMs: options.lingerMs,
      maxDeliveries: options.maxDeliveries,
      claimIdleMs: options.claimIdleMs,
      concurrentWrites: options.concurrentWrites,
    },
  });
  const running = consumer.run();
  const sweeper = deps.retention && startRetentionSweeper({ ...deps.retention, intervalMs: options.retentionIntervalMs, logger });
  const rollups = deps.rollups;
  const upkeep =
    rollups &&
    startPeriodicJob({
      what: "rollup upkeep",
      intervalMs: options.rollupIntervalMs,
      firstAfterMs: options.rollupIntervalMs,
      logger: logger.child({ component: "rollups" }),
      pass: async () => void (await rollups.catchUp()),
    });
  return {
    consumer,
    async stop() {
      consumer.stop();
      await Promise.all([running, sweeper?.stop(), upkeep?.stop()]);
    },
  };
}
