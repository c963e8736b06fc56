import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { buildApp } from "./app.js";
import { createCaptureService } from "./capture/capture-service.js";
import { createEventValidator } from "./capture/event-validator.js";
import type { Config } from "./config.js";
import { createDualProtocolServer } from "./listen/dual-protocol-server.js";
import { redactUrl } from "./logger.js";
import { createRedisClient } from "./queue/redis-client.js";
import { createRedisStreamPublisher } from "./queue/redis-stream-publisher.js";
import { createServiceBindings } from "./rpc/service-registry.js";

export interface RunningServer {
  address: AddressInfo;
  /** Graceful: stop accepting, finish in-flight requests, then close Redis. */
  close(): Promise<void>;
}

export const defaultRedisUrl = "redis://127.0.0.1:6379";

/** Wires config → queue → capture → app → listener. Used by main.ts and by the tests. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const redisUrl = config.redisUrl ?? defaultRedisUrl;
  logger.info({ queue: "redis-stream", redis: redactUrl(redisUrl), stream: config.streamKey }, "event queue selected");
  const redis = createRedisClient(redisUrl, logger);
  const publisher = createRedisStreamPublisher({
    redis,
    streamKey: config.streamKey,
    backlogWatermark: config.backlogWatermark,
    retryAfterSeconds: config.retryAfterSeconds,
  });
  const validator = createEventValidator({ allowedEvents: config.allowedEvents, maxEventBytes: config.maxEventBytes });
  const capture = createCaptureService({ validator, publisher });
  const app = await buildApp({ config, logger, publisher, bindings: createServiceBindings({ capture }) });
  const listener = createDualProtocolServer(app.handler);
  const address = await listener.listen(config.port, config.host);
  logger.info({ port: address.port, host: address.address }, "listening (gRPC, gRPC-Web, Connect, REST)");
  return {
    address,
    async close() {
      await listener.close(config.shutdownTimeoutMs);
      await app.fastify.close();
      await publisher.close();
    },
  };
}
