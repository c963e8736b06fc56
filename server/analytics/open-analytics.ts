import type { ClickHouseClient } from "@clickhouse/client";
import { isTransientNetworkError, SinkUnavailableError, type EventSink } from "../../worker/sink/event-sink.js";
import { InvalidInputError, UnavailableError } from "../errors/domain-errors.js";
import type { SqlClient } from "../../worker/sink/sql-client.js";
import type { AnalyticsStore } from "./analytics-query.js";
import { createClickHouseAnalytics } from "./clickhouse-analytics.js";
import { createPostgresAnalytics } from "./postgres-analytics.js";

/**
 * Analytics over the connection a sink already holds: one connection pool per
 * database, and the only possible one for PGlite (one process, one handle).
 */
export async function analyticsFor(sink: EventSink): Promise<AnalyticsStore> {
  const s = sink as EventSink & { client?: ClickHouseClient; db?: SqlClient };
  if (s.client) return createClickHouseAnalytics(s.client);
  if (s.db) return createPostgresAnalytics(s.db);
  throw new Error(`no analytics for the ${sink.name} sink`);
}

/**
 * Maps database failures to domain errors: an unreachable database is a 503
 * (UNAVAILABLE), a zone the database's tz data lacks is the caller's `tz`.
 */
export function withErrorMapping(store: AnalyticsStore, retryAfterSeconds: number): AnalyticsStore {
  const mapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(store) as Array<[string, (...a: unknown[]) => Promise<unknown>]>) {
    mapped[name] = async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        const message = (e as Error).message ?? "";
        if (/time zone|timezone/i.test(message)) throw new InvalidInputError("tz", "is not known to the database");
        if (isTransientNetworkError(e) || e instanceof SinkUnavailableError || /^(08|53|57P)/.test((e as { code?: string }).code ?? "")) {
          throw new UnavailableError("the database is unavailable", retryAfterSeconds);
        }
        throw e;
      }
    };
  }
  return mapped as unknown as AnalyticsStore;
}
