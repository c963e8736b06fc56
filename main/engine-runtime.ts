import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { createAnalyticsService } from "../analytics/analytics-service.js";
import { createCaptureService } from "../capture/capture-service.js";
import { createEventValidator } from "../capture/event-validator.js";
import type { Config } from "../core/config/config.js";
import { useBufferTextEncoding } from "../core/wire/text-encoding.js";
import type { EventConsumer } from "../queue/event-queue.js";
import { openQueue } from "../queue/open-queue.js";
import { buildApp } from "../server/app.js";
import { createDualProtocolServer } from "../server/listen/dual-protocol-server.js";
import { createServiceBindings } from "../server/rpc/service-registry.js";
import { createLazyDatabase } from "../storage/lazy-database.js";
import { type RunningWorker, startWorker } from "../worker/worker-runtime.js";

export interface RunningEngine {
  address: AddressInfo;
  /** Graceful: stop accepting, finish in-flight requests, drain the in-process worker, close connections. */
  close(): Promise<void>;
}

/**
 * The engine of `npm start`: config → queue → capture and analytics → app →
 * listener, plus the in-process worker unless it is switched off. Used by
 * server-main.ts and by the tests.
 */
export async function startEngine(config: Config, logger: Logger): Promise<RunningEngine> {
  useBufferTextEncoding();
  const queue = await openQueue(config, logger);
  const database = createLazyDatabase(config, logger);
  let worker: RunningWorker | undefined;
  let consumer: EventConsumer | undefined;
  try {
    if (config.worker.inProcess) {
      const db = await database.open(); // at start: a bad database setting stops start-up here
      consumer = await queue.openConsumer();
      worker = startWorker({ options: config.worker, logger, queue: consumer, sink: db.sink });
      logger.info({ database: db.type }, "in-process worker started");
    } else {
      logger.info("in-process worker off (INPROCESS_WORKER=false): run `npm run worker` separately");
    }
  } catch (e) {
    await queue.publisher.close();
    throw e;
  }
  const validator = createEventValidator({ allowedEvents: config.allowedEvents, maxEventBytes: config.maxEventBytes });
  const capture = createCaptureService({ validator, publisher: queue.publisher });
  const analytics = createAnalyticsService({ store: async () => (await database.forRequest()).analytics });
  const bindings = createServiceBindings({ capture, analytics });
  const app = await buildApp({ config, logger, ready: () => queue.publisher.ready(), bindings });
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
      await consumer?.close();
      await database.close();
      await queue.publisher.close();
    },
  };
}
