import { loadConfig } from "../core/config/config.js";
import { createLogger } from "../core/logger.js";
import { runProcess } from "./process-lifecycle.js";
import { startWorkerProcess } from "./worker-process.js";

/** `npm run worker`: a standalone worker; as many as you like share one consumer group. */
runProcess("insightplus worker", async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, config.logFormat);
  const worker = await startWorkerProcess(config, logger);
  return { logger, stop: () => worker.stop() };
});
