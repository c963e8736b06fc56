import { SinkConfigError } from "../worker/sink/event-sink.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { startServer } from "./server-runtime.js";

/** Entry point: config → server → graceful close on SIGTERM/SIGINT. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`insightplus: invalid configuration: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  let server;
  try {
    server = await startServer(config, logger);
  } catch (e) {
    if (e instanceof SinkConfigError) {
      console.error(`insightplus: invalid configuration: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    server.close().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: npm, npx and tsx forward the same signal again, and a
  // second delivery must not kill the process mid-drain.
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  console.error("insightplus: failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});
