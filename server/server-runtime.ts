import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { openRedisConsumer, startWorker, type RunningWorker } from "../worker/worker-runtime.js";
import { createAnalyticsService } from "./analytics/analytics-service.js";
import { createDatabaseHandle } from "./database-handle.js";
import { buildApp } from "./app.js";
import { createCaptureService } from "./capture/capture-service.js";
import { createEventValidator } from "./capture/event-validator.js";
import type { Config } from "./config.js";
import { createDualProtocolServer } from "./listen/dual-protocol-server.js";
import { openQueue } from "./queue/queue-factory.js";
import { createServiceBindings } from "./rpc/service-registry.js";
import { useBufferTextEncoding } from "./wire/text-encoding.js";

export interface RunningServer {
  address: AddressInfo;
  /** Graceful: stop accepting, finish in-flight requests, drain the in-process worker, close connections. */
  close(): Promise<void>;
}

/**
 * Wires config → queue → capture → app → listener, plus the in-process worker
 * unless it is switched off. Used by main.ts and by the tests.
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  useBufferTextEncoding();
  const queue = openQueue(config, logger, () => openRedisConsumer(config, logger));
  let worker: RunningWorker | undefined;
  let closeConsumer = async () => undefined as void;
  const database = createDatabaseHandle(config, logger);
  if (config.worker.inProcess) {
    const sink = await database.sink(); // at start: a bad database setting stops start-up here
    const consumer = await queue.openConsumer();
    closeConsumer = consumer.close;
    worker = startWorker({ config, logger, queue: consumer.queue, sink });
    logger.info({ database: sink.name }, "in-process worker started");
  } else {
    logger.info("in-process worker off (INPROCESS_WORKER=false): run `npm run worker` separately");
  }
  const validator = createEventValidator({ allowedEvents: config.allowedEvents, maxEventBytes: config.maxEventBytes });
  const capture = createCaptureService({ validator, publisher: queue.publisher });
  const analytics = createAnalyticsService({ store: database.analytics });
  const app = await buildApp({ config, logger, publisher: queue.publisher, bindings: createServiceBindings({ capture, analytics }) });
  const listener = createDualProtocolServer(app.handler);
  const address = await listener.listen(config.port, config.host);
  logger.info({ port: address.port, host: address.address }, "listening (gRPC, gRPC-Web, Connect, REST)");
  return {
    address,
    async close() {
      await listener.close(config.shutdownTimeoutMs);
      await app.fastify.close();
      if (worker) await queue.drained(config.shutdownTimeoutMs);
      await worker?.stop();
      await closeConsumer();
      await database.close();
      await queue.publisher.close();
    },
  };
}
