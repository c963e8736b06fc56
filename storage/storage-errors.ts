import type { ConfigError } from "../core/errors/config-error.js";

/**
 * What a database failure means for whoever met it:
 * - `transient`: the database is unreachable, shutting down or overloaded; the
 *   same statement may succeed later (the worker keeps the batch, analytics answer 503);
 * - `configuration`: the settings are wrong (credentials, a missing database);
 *   nothing succeeds until an operator fixes them (also kept and retried);
 * - `permanent`: this statement or these rows are refused (a bad row is dead-lettered).
 */
export type ErrorClass = "transient" | "permanent" | "configuration";

/** One per database: every caller (sink, analytics, start-up) asks it, so they agree. */
export interface StorageErrorClassifier {
  classify(e: unknown): ErrorClass;
  /** The database does not know a time zone it was asked for (the caller's `tz`). */
  isUnknownZone(e: unknown): boolean;
  /** A failure at start-up as a ConfigError naming the setting that is wrong. */
  explain(e: unknown): ConfigError;
}

/** The database cannot take the batch now (transient or configuration): keep it and retry later. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StorageUnavailableError";
  }
}

/**
 * A write's failure, rethrown as the worker needs it: StorageUnavailableError
 * (keep the batch, retry) unless the classifier says the rows themselves are
 * refused, which goes on as it is (the bad row is isolated).
 */
export function rethrowWriteFailure(errors: StorageErrorClassifier, database: string): (e: unknown) => never {
  return (e) => {
    if (errors.classify(e) !== "permanent") throw new StorageUnavailableError(`${database} unavailable: ${(e as Error).message}`, { cause: e });
    throw e;
  };
}

/** A row its database cannot take whatever is retried (a uuid that is not one): set aside, as a refused row is. */
export class UnstorableRowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnstorableRowError";
  }
}

/** The first line of an error message, bounded (for start-up messages and logs). */
export function firstLine(e: unknown): string {
  const message = (e as Error)?.message ?? String(e);
  return message.split("\n")[0].slice(0, 300);
}
