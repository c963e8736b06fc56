import { loadConfig } from "../core/config/config.js";
import { createLogger } from "../core/logger.js";
import { startEngine } from "./engine-runtime.js";
import { runProcess } from "./process-lifecycle.js";

/** `npm start`: the engine (API server, and the worker unless INPROCESS_WORKER=false). */
runProcess("insightplus", async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, config.logFormat);
  const engine = await startEngine(config, logger);
  return { logger, stop: () => engine.close() };
});
