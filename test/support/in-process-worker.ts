import pino from "pino";
import { inject } from "vitest";
import { type Config, loadConfig } from "../../core/config/config.js";
import { startWorkerProcess, type WorkerProcess } from "../../main/worker-process.js";

export interface InProcessWorker extends WorkerProcess {
  config: Config;
}

/**
 * A standalone worker in the test process (as `npm run worker` builds it) on
 * the given stream and database, so its Database can be queried through the
 * same connection (PGlite allows no second one).
 */
export async function startInProcessWorker(
  streamKey: string,
  dbEnv: Record<string, string>,
  env: Record<string, string> = {},
  logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
): Promise<InProcessWorker> {
  const config = loadConfig({
    REDIS_URL: inject("redisUrl"),
    REDIS_QUEUE: streamKey,
    WORKER_LINGER_MS: "50",
    WORKER_CLAIM_IDLE_MS: "1000",
    ...dbEnv,
    ...env,
  });
  return { config, ...(await startWorkerProcess(config, logger)) };
}
