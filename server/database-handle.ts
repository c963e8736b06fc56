import type { Logger } from "pino";
import type { EventSink } from "../worker/sink/event-sink.js";
import { openSink } from "../worker/sink/sink-factory.js";
import type { AnalyticsStore } from "./analytics/analytics-query.js";
import { analyticsFor, withErrorMapping } from "./analytics/open-analytics.js";
import type { Config } from "./config.js";
import { UnavailableError } from "./errors/domain-errors.js";

export interface DatabaseHandle {
  /** Opens (and migrates) the database once; later calls share it. */
  sink(): Promise<EventSink>;
  /** The analytics over the same connection; a failed open answers 503 and is tried again next time. */
  analytics(): Promise<AnalyticsStore>;
  close(): Promise<void>;
}

/**
 * The server's one connection to the configured database, opened when first
 * needed: at start when the worker runs in-process, otherwise on the first
 * analytics request, so an API server does not depend on the database to start.
 */
export function createDatabaseHandle(config: Config, logger: Logger): DatabaseHandle {
  let sink: Promise<EventSink> | undefined;
  let store: Promise<AnalyticsStore> | undefined;
  const open = () => (sink ??= openSink(config.database, logger).catch((e: unknown) => {
    sink = undefined;
    throw e;
  }));
  return {
    sink: open,
    analytics() {
      store ??= open()
        .then(async (s) => withErrorMapping(await analyticsFor(s), config.retryAfterSeconds))
        .catch((e: unknown) => {
          store = undefined;
          logger.warn({ err: (e as Error).message }, "analytics: database not available");
          throw new UnavailableError("the database is unavailable", config.retryAfterSeconds);
        });
      return store;
    },
    async close() {
      const s = await sink?.catch(() => undefined);
      await s?.close();
    },
  };
}
