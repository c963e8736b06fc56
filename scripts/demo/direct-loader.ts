import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import pino from "pino";
import { defaultProjectId } from "../../core/access/project-model.js";
import { loadConfig } from "../../core/config/config.js";
import type { StoredEvent } from "../../core/events/event-model.js";
import type { SinkRow } from "../../storage/event-sink.js";
import { databaseTarget, openDatabase } from "../../storage/open-database.js";
import { StorageUnavailableError } from "../../storage/storage-errors.js";
import { DemoAbort } from "./capture-loader.js";
import type { DemoEvent } from "./session-events.js";

export interface DirectLoadOptions {
  /** Environment to read the database settings from (defaults to process.env and .env). */
  env?: NodeJS.ProcessEnv;
  /** Told where the events go before the database is opened (migrating it can take seconds). */
  onTarget?: (target: string) => void;
  /** The database is open and migrated; inserts start. */
  onOpened?: () => void;
  onProgress?: (inserted: number) => void;
}

/**
 * Writes the chunks straight into the configured database through the
 * Database's EventSink (the same schema, de-duplication by uuid), skipping the
 * server and the queue. For PGlite the server must not be running: only one
 * process may open its data directory.
 */
export async function loadDirect(chunks: Iterable<DemoEvent[]>, opts: DirectLoadOptions = {}): Promise<{ sent: number; target: string }> {
  const config = loadConfig(opts.env ?? process.env);
  const db = config.database;
  if (db.type === "pglite") assertDataDirFree(db.dataDir);
  const target = databaseTarget(db);
  opts.onTarget?.(target);
  const database = await openDatabase(db, pino({ level: "warn" }), { retryAfterSeconds: config.retryAfterSeconds });
  const sink = database.sink;
  opts.onOpened?.();
  let sent = 0;
  try {
    for (const chunk of chunks) {
      const receivedAtMs = Date.now();
      const rows: StoredEvent[] = chunk.map((e) => ({
        projectId: defaultProjectId,
        uuid: e.uuid,
        event: e.event,
        distinctId: e.distinctId,
        propertiesJson: JSON.stringify(e.properties),
        timestampMs: e.timestampMs,
        receivedAtMs,
        timestampClamped: false,
      }));
      await insertWithRetry(
        sink.insert.bind(sink),
        rows.map((e) => sink.encode(e)),
      );
      sent += rows.length;
      opts.onProgress?.(rows.length);
    }
  } finally {
    await database.close();
  }
  return { sent, target };
}

/**
 * PGlite takes no lock: a second process opening the same directory corrupts
 * it. While a PGlite instance has it open, the directory holds postmaster.pid
 * (removed on a clean close), so its presence means "in use".
 */
export function assertDataDirFree(dataDir: string): void {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  throw new DemoAbort(
    [
      `the embedded database in ${resolve(dataDir)} is in use (${pidFile} exists).`,
      "  PGlite allows only one process to open its data directory, and the InsightPlus server is probably running on it.",
      "  Either load through the server instead:   tsx scripts/demo-data.ts --mode capture",
      "  or stop the server, then run --mode direct again.",
      `  If no server is running, a previous process died without closing the database: delete ${pidFile} and retry.`,
    ].join("\n"),
  );
}

async function insertWithRetry(insert: (rows: SinkRow[]) => Promise<void>, rows: SinkRow[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await insert(rows);
    } catch (e) {
      if (!(e instanceof StorageUnavailableError) || attempt >= 8) throw e;
      await new Promise((r) => setTimeout(r, Math.min(10_000, 250 * 2 ** attempt)));
    }
  }
}
