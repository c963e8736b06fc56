import type { ClickHouseClient } from "@clickhouse/client";
import type { AccessStore, EventEraser } from "../access/access-store.js";
import type { AnalyticsStore } from "../analytics/analytics-store.js";
import type { DatabaseType } from "../core/config/config.js";
import type { EventSink } from "./event-sink.js";
import type { SqlClient } from "./postgres/sql-client.js";
import type { StorageErrorClassifier } from "./storage-errors.js";

/**
 * The configured database, opened once per process: the worker's sink and the
 * analytics store over the same connections (the only possibility for PGlite,
 * one process with one handle), with one error classifier for both.
 */
export interface Database {
  readonly type: DatabaseType;
  /** Where the data goes, without credentials (safe to log). */
  readonly target: string;
  readonly sink: EventSink;
  /** Database failures come out as domain errors: unreachable → UnavailableError, unknown zone → InvalidInputError("tz"). */
  readonly analytics: AnalyticsStore;
  /** Projects and keys; failures come out as UnavailableError like the analytics'. */
  readonly access: AccessStore;
  /** Erasure of a user, and retention. */
  readonly eraser: EventEraser;
  /** Upkeep of rollups that cannot be kept at insert time (ClickHouse's exact event counts); the worker runs it. */
  readonly rollups?: RollupUpkeep;
  /** The read connection, for tools that run their own SQL over it (tests, benches, the demo loader). */
  readonly connection: DatabaseConnection;
  /** True when the database answers now. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** What one database's folder hands to openDatabase, before the schema is migrated. */
export interface DatabaseParts {
  readonly sink: EventSink;
  readonly errors: StorageErrorClassifier;
  readonly connection: DatabaseConnection;
  readonly access: AccessStore;
  readonly eraser: EventEraser;
  readonly rollups?: RollupUpkeep;
  /** Creates or migrates the schema; safe to run from several processes at once. */
  migrate(): Promise<void>;
  /** The analytics store, made once the schema is in place. */
  analytics(): Promise<AnalyticsStore>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A rollup kept by a background job rather than at insert time. */
export interface RollupUpkeep {
  /** Brings the rollup up to date with the stored events; resolves with how many of its units (hours) were recomputed. */
  catchUp(): Promise<number>;
}

/** A database's own client, tagged by kind (never guessed from an object's shape). */
export type DatabaseConnection = { kind: "clickhouse"; client: ClickHouseClient } | { kind: "postgres"; sql: SqlClient };
