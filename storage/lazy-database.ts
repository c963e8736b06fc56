import type { Logger } from "pino";
import type { Config } from "../core/config/config.js";
import { UnavailableError } from "../core/errors/domain-errors.js";
import type { Database } from "./database.js";
import { openDatabase } from "./open-database.js";

export interface LazyDatabase {
  /** Opens (and migrates) the database once; later calls share it. A failed open is tried again next time. */
  open(): Promise<Database>;
  /** The database for a request: a failed open is a 503 (UnavailableError), logged once per attempt. */
  forRequest(): Promise<Database>;
  close(): Promise<void>;
}

/**
 * The process's one Database, opened when first needed: at start when the
 * worker runs in-process, otherwise on the first analytics request, so an
 * API server does not depend on the database to start.
 */
export function createLazyDatabase(config: Config, logger: Logger, opts: { exclusively?: <T>(run: () => Promise<T>) => Promise<T> } = {}): LazyDatabase {
  let opening: Promise<Database> | undefined;
  const open = () =>
    (opening ??= openDatabase(config.database, logger, { retryAfterSeconds: config.retryAfterSeconds, exclusively: opts.exclusively }).catch((e: unknown) => {
      opening = undefined;
      throw e;
    }));
  return {
    open,
    forRequest() {
      return open().catch((e: unknown) => {
        logger.warn({ err: (e as Error).message }, "analytics: database not available");
        throw new UnavailableError("the database is unavailable", config.retryAfterSeconds);
      });
    },
    async close() {
      const db = await opening?.catch(() => undefined);
      await db?.close();
    },
  };
}
