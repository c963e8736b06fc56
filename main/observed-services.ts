import type { CaptureService } from "../capture/capture-service.js";
import { InvalidInputError, UnavailableError } from "../core/errors/domain-errors.js";
import type { EngineMetrics } from "../core/metrics/engine-metrics.js";
import type { Database } from "../storage/database.js";
import type { LazyDatabase } from "../storage/lazy-database.js";

/** The capture service, counting events by outcome: queued, rejected (the event's own fault), refused (not queued). */
export function observedCapture(capture: CaptureService, metrics: EngineMetrics): CaptureService {
  // One child per outcome, kept: prom-client hashes a labels object on every inc.
  const children = {
    queued: metrics.capturedEvents.labels("queued"),
    rejected: metrics.capturedEvents.labels("rejected"),
    refused: metrics.capturedEvents.labels("refused"),
  };
  const count = (outcome: keyof typeof children, n: number) => n > 0 && children[outcome].inc(n);
  return {
    async captureOne(input, target) {
      try {
        const id = await capture.captureOne(input, target);
        count("queued", 1);
        return id;
      } catch (e) {
        count(e instanceof InvalidInputError ? "rejected" : "refused", 1);
        throw e;
      }
    },
    async captureMany(inputs, target, opts) {
      try {
        const result = await capture.captureMany(inputs, target, opts);
        count("queued", result.accepted);
        count("rejected", result.rejected.length);
        return result;
      } catch (e) {
        count("refused", inputs.length);
        throw e;
      }
    },
  };
}

/**
 * A store whose every method's failure is counted as a database error of
 * `operation` (a refused argument, as an unknown time zone, is the caller's
 * fault and not counted). Every method returns a promise.
 */
export function observedStore<T extends object>(store: T, metrics: EngineMetrics, operation: string): T {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        (value.apply(target, args) as Promise<unknown>).catch((e: unknown) => {
          if (!(e instanceof InvalidInputError)) metrics.databaseErrors.inc({ operation, class: e instanceof UnavailableError ? "unavailable" : "error" });
          throw e;
        });
    },
  });
}

/** The database for a request; a failure to reach it is counted (operation "query", class "unavailable"). */
export function observedOpen(database: LazyDatabase, metrics: EngineMetrics): Promise<Database> {
  return database.forRequest().catch((e: unknown) => {
    metrics.databaseErrors.inc({ operation: "query", class: "unavailable" });
    throw e;
  });
}
