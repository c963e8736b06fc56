import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import type { Logger } from "pino";
import type { Config } from "../core/config/config.js";
import type { EngineMetrics } from "../core/metrics/engine-metrics.js";
import { createAdmission } from "../server/access/admission.js";
import { createErrorHandler } from "../server/http/error-handler.js";
import { metricsRoutesPlugin } from "../server/http/metrics-routes.js";
import type { Database } from "../storage/database.js";
import { configuredAccessCheck, configuredKeyring } from "./configured-access.js";

export interface WorkerMetricsServer {
  address: AddressInfo;
  close(): Promise<void>;
}

/**
 * A separate worker's `/metrics` (admin key, the same access check as the
 * server's doors) and `/healthz`, on WORKER_METRICS_PORT: a worker serves no
 * other HTTP. No rate limits: only an admin key gets past the check. Keys are
 * reread every KEY_REFRESH_SECONDS (a revoked admin key stops working within that).
 */
export async function listenWorkerMetrics(deps: { config: Config; metrics: EngineMetrics; database: Database; logger: Logger }): Promise<WorkerMetricsServer> {
  const { config } = deps;
  const keyring = configuredKeyring(config, async () => deps.database.access, deps.logger);
  keyring.start({ readNow: true });
  const admission = createAdmission({ access: configuredAccessCheck(config, keyring), limits: { address: async () => undefined, key: async () => undefined } });
  const app = Fastify({ logger: false });
  app.setErrorHandler(createErrorHandler({ maxBytes: 1 << 20, maxMs: 1000 }));
  app.get("/healthz", async () => ({ status: "ok" }));
  await app.register(metricsRoutesPlugin, { metrics: deps.metrics, admission });
  try {
    await app.listen({ port: config.worker.metricsPort, host: config.host });
  } catch (e) {
    keyring.close();
    throw e;
  }
  const address = app.server.address() as AddressInfo;
  deps.logger.info({ port: address.port }, "worker metrics at /metrics (admin key)");
  return {
    address,
    async close() {
      keyring.close();
      await app.close();
    },
  };
}
