import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { createAdminService } from "../access/admin-service.js";
import { createAnalyticsService } from "../analytics/analytics-service.js";
import { createLiveTail } from "../analytics/live-tail.js";
import { createCaptureService } from "../capture/capture-service.js";
import { createEnricher } from "../capture/enrichment/event-enricher.js";
import { createEventValidator } from "../capture/event-validator.js";
import type { Config } from "../core/config/config.js";
import { createEngineMetrics } from "../core/metrics/engine-metrics.js";
import { useBufferTextEncoding } from "../core/wire/text-encoding.js";
import type { EventConsumer } from "../queue/event-queue.js";
import { openQueue } from "../queue/open-queue.js";
import { migrationLock } from "../queue/redis/redis-lock.js";
import { createCaptureTargets } from "../server/access/capture-targets.js";
import { buildApp } from "../server/app.js";
import { createDualProtocolServer } from "../server/listen/dual-protocol-server.js";
import { createServiceBindings } from "../server/rpc/service-registry.js";
import { createLazyDatabase } from "../storage/lazy-database.js";
import { type RunningWorker, startWorker } from "../worker/worker-runtime.js";
import { configuredAccessCheck, configuredKeyring } from "./configured-access.js";
import { builtDashboardDir } from "./dashboard-dir.js";
import { printFirstStartKeys } from "./first-start-keys.js";
import { listenAdminSocket } from "./keys/admin-socket.js";
import { observedCapture, observedOpen, observedStore } from "./observed-services.js";
import { createReadiness } from "./readiness.js";

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
  const database = createLazyDatabase(config, logger, { exclusively: migrationLock(config, logger) });
  const metrics = createEngineMetrics();
  metrics.observeQueue(queue.stats);
  let worker: RunningWorker | undefined;
  let consumer: EventConsumer | undefined;
  try {
    if (config.worker.inProcess) {
      const db = await database.open(); // at start: a bad database setting stops start-up here
      consumer = await queue.openConsumer();
      worker = startWorker({ options: config.worker, logger, queue: consumer, sink: db.sink, retention: db, rollups: db.rollups, metrics });
      logger.info({ database: db.type }, "in-process worker started");
    } else {
      logger.info("in-process worker off (INPROCESS_WORKER=false): run `npm run worker` separately");
    }
  } catch (e) {
    await queue.publisher.close();
    throw e;
  }
  const a = config.access;
  const keyring = configuredKeyring(config, async () => (await database.forRequest()).access, logger);
  const access = configuredAccessCheck(config, keyring);
  const admin = createAdminService({ storage: () => database.forRequest(), keyring, changes: queue.keyChanges });
  const keyChanges = await queue.keyChanges.listen(() => void keyring.reload().catch(() => undefined));
  // With the database opened at start (in-process worker) or named by the configuration, keys are read now
  // and the first start makes the default project's keys; otherwise only when an unknown key first arrives.
  const readKeysNow = config.worker.inProcess || config.database.configured;
  keyring.start({ readNow: false });
  if (readKeysNow) {
    await keyring
      .reload()
      .then(async () => printFirstStartKeys(await admin.ensureDefaultKeys()))
      .catch((e: unknown) => logger.warn({ err: (e as Error).message }, "projects and keys not read at start; retrying in the background"));
  }
  // An embedded database is this process's alone: `npm run keys` reaches it through a socket in DATA_DIR.
  const embedded = config.database.type === "pglite" || config.database.type === "chdb";
  const adminSocket = embedded && config.worker.inProcess ? await listenAdminSocket(config.database.dataDir, admin, logger) : undefined;
  if (!a.readKeyRequired) logger.warn("REQUIRE_READ_KEY=false: analytics answer anyone without a key, for the default project. Only on a private network.");
  if (a.keylessCapture) logger.info("ALLOW_KEYLESS_CAPTURE=true: capture without a key goes to the default project");
  const validator = createEventValidator({ maxEventBytes: config.maxEventBytes });
  const capture = observedCapture(createCaptureService({ validator, publisher: queue.publisher, enricher: createEnricher() }), metrics);
  const analytics = createAnalyticsService({ store: async () => observedStore((await observedOpen(database, metrics)).analytics, metrics, "query") });
  const targets = createCaptureTargets({ keyring, allowedEvents: config.allowedEvents, allowedEventsSet: config.allowedEventsSet });
  const liveTail = createLiveTail({ feed: queue.feed });
  const bindings = createServiceBindings({ capture, targets, analytics, liveTail, admin, projectName: (id) => keyring.project(id)?.name });
  const app = await buildApp({
    config,
    logger,
    ready: createReadiness({ publisher: queue.publisher, database }),
    metrics,
    bindings,
    access,
    capture,
    targets,
    rateLimitRedis: queue.redis,
    dashboardDir: builtDashboardDir(),
  });
  const listener = createDualProtocolServer(app.handler);
  const address = await listener.listen(config.port, config.host);
  logger.info({ port: address.port, host: address.address }, "listening (gRPC, gRPC-Web, Connect, REST)");
  return {
    address,
    async close() {
      // Live tails never end by themselves: end them first, or closing would wait out their connections.
      liveTail.closeAll();
      await listener.close(config.shutdownTimeoutMs);
      await app.fastify.close();
      keyring.close();
      await keyChanges.close();
      await adminSocket?.close();
      if (worker) await queue.drained(config.shutdownTimeoutMs);
      await worker?.stop();
      await consumer?.close();
      await database.close();
      await queue.feed.close();
      await queue.publisher.close();
    },
  };
}
