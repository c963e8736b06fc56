import type { Logger } from "pino";
import type { Config } from "../core/config/config.js";
import { ConfigError } from "../core/errors/config-error.js";
import { openRedisConsumer } from "../queue/redis/redis-consumer-open.js";
import { migrationLock } from "../queue/redis/redis-lock.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { type RunningWorker, startWorker } from "../worker/worker-runtime.js";

export interface WorkerProcess {
  database: Database;
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
  const worker = startWorker({ options: config.worker, logger, queue: consumer, sink: database.sink, retention: database, rollups: database.rollups });
  logger.info({ database: database.type, group: config.worker.group, stream: config.streamKey }, "worker started");
  return {
    database,
    worker,
    async stop() {
      logger.info({ stored: worker.consumer.stored() }, "stopping: finishing the batches in hand");
      await worker.stop();
      await consumer.close();
      logger.info({ stored: worker.consumer.stored() }, "worker stopped");
      await database.close();
    },
  };
}
