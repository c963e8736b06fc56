import type { Logger } from "pino";
import { InvalidInputError, UnavailableError } from "../core/errors/domain-errors.js";
import type { StorageErrorClassifier } from "./storage-errors.js";

/**
 * Database failures of a store (analytics, projects and keys, erasure) as
 * domain errors, decided by the database's one classifier: unreachable or
 * misconfigured → UnavailableError (503); a zone the database's tz data
 * lacks → the caller's `tz`. Anything else is a fault (500, logged by the
 * transport), or a domain error the store threw itself, passed on.
 */
export function mapStoreErrors<T extends object>(store: T, errors: StorageErrorClassifier, logger: Logger, retryAfterSeconds: number): T {
  const mapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(store) as Array<[string, (...a: unknown[]) => Promise<unknown>]>) {
    mapped[name] = async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        if (errors.isUnknownZone(e)) throw new InvalidInputError("tz", "is not known to the database");
        const kind = errors.classify(e);
        if (kind === "permanent") throw e;
        if (kind === "configuration") logger.error({ err: (e as Error).message }, "the database refuses the configured settings");
        throw new UnavailableError("the database is unavailable", retryAfterSeconds);
      }
    };
  }
  return mapped as unknown as T;
}
