import type { Logger } from "pino";
import type { Config } from "../core/config/config.js";
import { ConfigError } from "../core/errors/config-error.js";
import { createEngineMetrics } from "../core/metrics/engine-metrics.js";
import { openRedisConsumer } from "../queue/redis/redis-consumer-open.js";
import { migrationLock } from "../queue/redis/redis-lock.js";
import { openRedisQueueStats } from "../queue/redis/redis-queue-stats.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { type RunningWorker, startWorker } from "../worker/worker-runtime.js";
import { listenWorkerMetrics } from "./worker-metrics-server.js";

export interface WorkerProcess {
  database: Database;
  /** Where /metrics is served, when WORKER_METRICS_PORT is set. */
  metricsPort?: number;
  worker: RunningWorker;
  /** Finishes the batches in hand, then closes the queue and the database. */
  stop(): Promise<void>;
}

/** A standalone worker: the configured database, a consumer-group member on Redis, the consume loop. */
export async function startWorkerProcess(config: Config, logger: Logger): Promise<WorkerProcess> {
  if (!config.redisUrl) throw new ConfigError("REDIS_URL", "a separate worker needs Redis (the in-process queue lives inside `npm start`)");
  const database = await openDatabase(config.database, logger, { retryAfterSeconds: config.retryAfterSeconds, exclusively: migrationLock(config, logger) });
  const consumer = await openRedisConsumer(config, logger).catch(async (e: unknown) => {
    await database.close();
    throw e;
  });
  const metrics = createEngineMetrics();
  const queueStats = config.worker.metricsPort ? openRedisQueueStats(config, logger) : undefined;
  if (queueStats) metrics.observeQueue(queueStats.stats);
  // Before the worker starts: a port already taken stops start-up with nothing read from the queue.
  const metricsServer = config.worker.metricsPort
    ? await listenWorkerMetrics({ config, metrics, database, logger }).catch(async (e: unknown) => {
        queueStats?.close();
        await consumer.close();
        await database.close();
        throw e;
      })
    : undefined;
  const worker = startWorker({ options: config.worker, logger, queue: consumer, sink: database.sink, retention: database, rollups: database.rollups, metrics });
  logger.info({ database: database.type, group: config.worker.group, stream: config.streamKey }, "worker started");
  return {
    database,
    metricsPort: metricsServer?.address.port,
    worker,
    async stop() {
      logger.info({ stored: worker.consumer.stored() }, "stopping: finishing the batches in hand");
      await metricsServer?.close();
      queueStats?.close();
      await worker.stop();
      await consumer.close();
      logger.info({ stored: worker.consumer.stored() }, "worker stopped");
      await database.close();
    },
  };
}
