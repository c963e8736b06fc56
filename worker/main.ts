import { ConfigError, loadConfig } from "../server/config.js";
import { createLogger } from "../server/logger.js";
import { openSink } from "./sink/sink-factory.js";
import { SinkConfigError } from "./sink/event-sink.js";
import { openRedisConsumer, startWorker } from "./worker-runtime.js";

/** A standalone worker (`npm run worker`): as many as you like share one consumer group. */
async function main() {
  const config = loadConfig();
  if (!config.redisUrl) throw new ConfigError("REDIS_URL", "a separate worker needs Redis (the in-process queue lives inside `npm start`)");
  const logger = createLogger(config.logLevel);
  const sink = await openSink(config.database, logger);
  const consumer = await openRedisConsumer(config, logger);
  const worker = startWorker({ config, logger, queue: consumer.queue, sink });
  logger.info({ database: sink.name, group: config.worker.group, stream: config.streamKey }, "worker started");
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, stored: worker.consumer.stored() }, "stopping: finishing the batches in hand");
    worker
      .stop()
      .then(() => logger.info({ stored: worker.consumer.stored() }, "stopped"))
      .then(() => consumer.close())
      .then(() => sink.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, "stop failed");
          process.exit(1);
        },
      );
  };
  // `on`, not `once`: npm, npx and tsx forward the same signal again, and a
  // second delivery must not kill the process mid-drain.
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof SinkConfigError) {
    console.error(`insightplus worker: invalid configuration: ${e.message}`);
    process.exit(2);
  }
  console.error("insightplus worker: failed to start:", e instanceof Error ? e.message : e);
  process.exit(1);
});
