import { config as loadDotenv } from "dotenv";
import { ConfigError } from "../errors/config-error.js";
import { clickHouseUrl } from "./clickhouse-url.js";
import { parseEnv } from "./env-readers.js";

/** pglite and chdb are embedded (in-process) PostgreSQL and ClickHouse; chdb needs `npm install chdb`. */
export type DatabaseType = "clickhouse" | "postgres" | "pglite" | "chdb";

/** Validated, frozen settings. Names follow the original project's .env where one existed. */
export interface Config {
  port: number;
  host: string;
  logLevel: string;
  /** auto: readable lines when stdout is a terminal, JSON otherwise. */
  logFormat: "auto" | "json" | "pretty";
  /** Unset: the in-process queue (embedded mode). */
  redisUrl: string | undefined;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); redisUrl is then the first of them unless set. */
  redisClusterNodes: readonly string[] | undefined;
  /** Base name of the event streams (the original's REDIS_QUEUE): partition p is `${streamKey}:{p}`, the single-stream layout was the name itself. */
  streamKey: string;
  /** How many stream partitions events are spread over, by a hash of project + distinct_id (QUEUE_PARTITIONS). */
  queuePartitions: number;
  /** Refuse new events (503) while the streams hold more entries than this, all partitions together. */
  backlogWatermark: number;
  /** Seconds clients are told to wait (Retry-After) when refused for load or an outage. */
  retryAfterSeconds: number;
  /** Replicas each append must reach before capture answers (REDIS_WAIT_REPLICAS, 0: none), and how long it waits. */
  redisWait: { replicas: number; timeoutMs: number };
  /** Allowed event names; ["*"] allows any. */
  allowedEvents: readonly string[];
  /** ALLOWED_EVENTS was set (it then holds for the PostHog and Segment endpoints too, which otherwise take any name). */
  allowedEventsSet: boolean;
  maxEventBytes: number;
  maxRequestBytes: number;
  corsOrigins: readonly string[];
  shutdownTimeoutMs: number;
  database: DatabaseConfig;
  worker: WorkerConfig;
  access: AccessConfig;
}

/** Keys, who may call without one, and the limits that protect a public endpoint. */
export interface AccessConfig {
  /** The default project's write key (the original's API_KEY), read key and an admin key, when set: known without the database. */
  configuredKeys: ReadonlyArray<{ variable: string; key: string; kind: "write" | "read" | "admin" }>;
  /** Capture without a key goes to the default project (ALLOW_KEYLESS_CAPTURE). */
  keylessCapture: boolean;
  /** Analytics need a read key; false only on a private network (REQUIRE_READ_KEY=false, warned at every start). */
  readKeyRequired: boolean;
  /** Projects and keys are reread this often (a revocation without Redis takes at most this long). */
  keyRefreshMs: number;
  /** Whether X-Forwarded-For is believed (Fastify's trustProxy: false, true, a hop count, or addresses/CIDRs). */
  trustProxy: boolean | number | string[];
  rateLimits: { perAddress: number; perKey: number; windowMs: number };
}

export interface DatabaseConfig {
  type: DatabaseType;
  /** Why this database was chosen, for the start-up log. */
  reason: string;
  /** Named by the configuration (DATABASE_TYPE, CLICKHOUSE_HOST, POSTGRES_HOST), not the embedded default. */
  configured: boolean;
  /**
   * `cluster`: a cluster of the server's remote_servers (CLICKHOUSE_CLUSTER), "" for one server: tables are made
   * ON CLUSTER, a local table per shard behind a Distributed one (clickhouse-cluster-schema.ts).
   */
  clickhouse: { url: string; database: string; username: string; password: string; cluster: string };
  /** `readHost`/`readPort`: where analytics read (a streaming replica), the primary when unset. */
  postgres: { host: string; port: number; database: string; user: string; password: string; readHost: string; readPort: number };
  /** Where an embedded database (PGlite, chdb) keeps its files. */
  dataDir: string;
  /**
   * Room the embedded mode keeps free on DATA_DIR's disk (DATA_DIR_RESERVE_MB): capture refuses below it,
   * PGlite is written until half of it is left (it stops the process when a WAL segment cannot be written).
   */
  dataDirReserveBytes: number;
  /** How long start-up waits for the database before giving up with a message. */
  startupTimeoutMs: number;
  pools: DatabasePools;
}

/** Connections to a database server, apart for the worker's writes and the analytics' reads. */
export interface DatabasePools {
  /** Analytics queries at once; more wait for a connection (a busy pool is not an outage). */
  readConnections: number;
  writeConnections: number;
  /** Longest an analytics query may run before it fails. */
  queryTimeoutMs: number;
}

export interface WorkerConfig {
  /** Run the worker inside the server process (`npm start`); off when workers run apart. */
  inProcess: boolean;
  group: string;
  batchSize: number;
  lingerMs: number;
  concurrentWrites: number;
  maxDeliveries: number;
  claimIdleMs: number;
  deadLetterKey: string;
  /** How often each worker deletes events past their project's retention. */
  retentionIntervalMs: number;
  /** How often each worker brings the database's background rollups up to date (ClickHouse's exact event counts). */
  rollupIntervalMs: number;
  /** A separate worker's /metrics and /healthz port (WORKER_METRICS_PORT); 0: none. */
  metricsPort: number;
}

export const defaultAllowedEvents = ["user_registered", "payment_success", "most_used_feature", "page_view"];

/**
 * Reads the environment (and `.env`, when present) into a Config.
 * Throws ConfigError naming the variable on any invalid value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (env === process.env) loadDotenv({ quiet: true } as never);
  const p = parseEnv(env);
  const streamKey = p.string("REDIS_QUEUE", "insightplus:events");
  // Each partition's key carries its own hash tag ({p}); a tag in the base name would put every partition in one slot.
  if (/[{}]/.test(streamKey)) throw new ConfigError("REDIS_QUEUE", "must not contain { or } (each partition adds a Redis Cluster hash tag of its own)");
  const redisClusterNodes = p.urlList("REDIS_CLUSTER_NODES", ["redis:", "rediss:"]);
  const redisUrl = p.url("REDIS_URL", ["redis:", "rediss:"]) ?? redisClusterNodes?.[0];
  const database = databaseConfig(env, p);
  const config: Config = {
    port: p.int("PORT", 7002, 0, 65535),
    host: p.string("HOST", "0.0.0.0"),
    logLevel: p.oneOf("LOG_LEVEL", "info", ["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    logFormat: p.oneOf("LOG_FORMAT", "auto", ["auto", "json", "pretty"]),
    redisUrl,
    redisClusterNodes,
    streamKey,
    queuePartitions: p.int("QUEUE_PARTITIONS", 16, 1, 1024),
    backlogWatermark: p.int("BACKLOG_WATERMARK", 1_000_000, 1, Number.MAX_SAFE_INTEGER),
    retryAfterSeconds: p.int("RETRY_AFTER_SECONDS", 2, 1, 3600),
    redisWait: { replicas: p.int("REDIS_WAIT_REPLICAS", 0, 0, 16), timeoutMs: p.int("REDIS_WAIT_TIMEOUT_MS", 1000, 1, 60_000) },
    allowedEvents: Object.freeze(p.list("ALLOWED_EVENTS", defaultAllowedEvents)),
    allowedEventsSet: p.optionalString("ALLOWED_EVENTS") !== undefined,
    maxEventBytes: p.int("MAX_EVENT_BYTES", 32 * 1024, 256, 16 * 1024 * 1024),
    maxRequestBytes: p.int("MAX_REQUEST_BYTES", 512 * 1024, 1024, 256 * 1024 * 1024),
    corsOrigins: Object.freeze(p.list("CORS_ORIGINS", ["*"])),
    shutdownTimeoutMs: p.int("SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
    database,
    access: accessConfig(p),
    worker: {
      inProcess: p.bool("INPROCESS_WORKER", true),
      group: p.string("WORKER_GROUP", "insightplus-workers"),
      // ClickHouse writes a part per insert: 10,000 rows cost a fifth of the server CPU per row that 1,000 do
      // (bench:insert-formats). Elsewhere 1,000: PGlite inserts in this process, and 10,000 rows at once held
      // requests up (bench:embedded: batch p99 79 → 291 ms); PostgreSQL drains 6% faster at 10,000 for the same
      // CPU per event (bench:worker), not worth the bigger batches in hand.
      batchSize: p.int("WORKER_BATCH_SIZE", database.type === "clickhouse" ? 10_000 : 1000, 1, 100_000),
      lingerMs: p.int("WORKER_LINGER_MS", 200, 1, 60_000),
      concurrentWrites: p.int("WORKER_CONCURRENT_WRITES", 2, 1, 16),
      maxDeliveries: p.int("WORKER_MAX_DELIVERIES", 5, 1, 1000),
      claimIdleMs: p.int("WORKER_CLAIM_IDLE_MS", 30_000, 100, 86_400_000),
      deadLetterKey: p.string("REDIS_DEAD_LETTER_QUEUE", `${streamKey}:dead`),
      retentionIntervalMs: p.int("RETENTION_CHECK_SECONDS", 3600, 1, 86_400) * 1000,
      rollupIntervalMs: p.int("ROLLUP_CHECK_SECONDS", 10, 1, 3600) * 1000,
      metricsPort: p.int("WORKER_METRICS_PORT", 0, 0, 65535),
    },
  };
  if (!config.redisUrl && !config.worker.inProcess) {
    throw new ConfigError("INPROCESS_WORKER", "can only be false when REDIS_URL is set (the in-process queue needs the in-process worker)");
  }
  return deepFreeze(config);
}

function accessConfig(p: ReturnType<typeof parseEnv>): AccessConfig {
  const keys = [
    { variable: "API_KEY", key: p.optionalString("API_KEY"), kind: "write", minLength: 8 },
    { variable: "READ_API_KEY", key: p.optionalString("READ_API_KEY"), kind: "read", minLength: 16 },
    { variable: "ADMIN_API_KEY", key: p.optionalString("ADMIN_API_KEY"), kind: "admin", minLength: 16 },
  ] as const;
  const configuredKeys: Array<{ variable: string; key: string; kind: "write" | "read" | "admin" }> = [];
  for (const { variable, key, kind, minLength } of keys) {
    if (key === undefined) continue;
    if (key.length < minLength || /\s/.test(key)) throw new ConfigError(variable, `must be at least ${minLength} characters, without spaces`);
    const twin = configuredKeys.find((c) => c.key === key);
    if (twin) throw new ConfigError(variable, `must differ from ${twin.variable} (one key cannot be two kinds)`);
    configuredKeys.push({ variable, key, kind });
  }
  return {
    configuredKeys,
    keylessCapture: p.bool("ALLOW_KEYLESS_CAPTURE", false),
    readKeyRequired: p.bool("REQUIRE_READ_KEY", true),
    keyRefreshMs: p.int("KEY_REFRESH_SECONDS", 5, 1, 3600) * 1000,
    trustProxy: trustProxyOf(p.optionalString("TRUST_PROXY")),
    rateLimits: {
      perAddress: p.int("RATE_LIMIT_PER_ADDRESS", 10_000, 0, Number.MAX_SAFE_INTEGER),
      perKey: p.int("RATE_LIMIT_PER_KEY", 50_000, 0, Number.MAX_SAFE_INTEGER),
      windowMs: p.int("RATE_LIMIT_WINDOW_SECONDS", 10, 1, 86_400) * 1000,
    },
  };
}

/** TRUST_PROXY: false (default), true, a number of proxy hops, or a comma list of proxy addresses or CIDRs. */
function trustProxyOf(v: string | undefined): boolean | number | string[] {
  if (v === undefined || /^(false|0|no|off)$/i.test(v)) return false;
  if (/^(true|yes|on)$/i.test(v)) return true;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const a of list) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(a)) throw new ConfigError("TRUST_PROXY", `expected true, false, a hop count or addresses/CIDRs, got "${a}"`);
  }
  return list;
}

function databaseConfig(env: NodeJS.ProcessEnv, p: ReturnType<typeof parseEnv>): DatabaseConfig {
  const explicit = env.DATABASE_TYPE?.trim() ? p.oneOf<DatabaseType>("DATABASE_TYPE", "clickhouse", ["clickhouse", "postgres", "pglite", "chdb"]) : undefined;
  const [type, reason] = explicit
    ? [explicit, `DATABASE_TYPE=${explicit}`]
    : env.CLICKHOUSE_HOST?.trim()
      ? (["clickhouse", "CLICKHOUSE_HOST is set"] as const)
      : env.POSTGRES_HOST?.trim()
        ? (["postgres", "POSTGRES_HOST is set"] as const)
        : (["pglite", "no database configured (DATABASE_TYPE, CLICKHOUSE_HOST and POSTGRES_HOST unset): embedded PostgreSQL"] as const);
  if (env.CLICKHOUSE_CLUSTER?.trim() && type !== "clickhouse") {
    throw new ConfigError("CLICKHOUSE_CLUSTER", `names a cluster of ClickHouse servers; the database here is ${type} (${reason})`);
  }
  return {
    type,
    reason,
    configured: Boolean(explicit || env.CLICKHOUSE_HOST?.trim() || env.POSTGRES_HOST?.trim()),
    clickhouse: {
      url: clickHouseUrl(p),
      database: p.identifier("CLICKHOUSE_DB", "default"),
      username: p.string("CLICKHOUSE_USER", "default"),
      password: env.CLICKHOUSE_PASSWORD ?? "",
      cluster: env.CLICKHOUSE_CLUSTER?.trim() ? p.identifier("CLICKHOUSE_CLUSTER", "") : "",
    },
    postgres: {
      host: p.string("POSTGRES_HOST", "localhost"),
      port: p.int("POSTGRES_PORT", 5432, 1, 65535),
      database: p.string("POSTGRES_DB", "postgres"),
      user: p.string("POSTGRES_USER", "postgres"),
      password: env.POSTGRES_PASSWORD ?? "",
      readHost: p.string("POSTGRES_READ_HOST", ""),
      readPort: p.int("POSTGRES_READ_PORT", p.int("POSTGRES_PORT", 5432, 1, 65535), 1, 65535),
    },
    dataDir: p.string("DATA_DIR", ".data"),
    dataDirReserveBytes: p.int("DATA_DIR_RESERVE_MB", 64, 0, 1_000_000) * 1024 * 1024,
    startupTimeoutMs: p.int("STARTUP_TIMEOUT_MS", 15_000, 0, 600_000),
    pools: {
      readConnections: p.int("DATABASE_READ_CONNECTIONS", 8, 1, 1000),
      writeConnections: p.int("DATABASE_WRITE_CONNECTIONS", 4, 1, 1000),
      queryTimeoutMs: p.int("ANALYTICS_QUERY_TIMEOUT_MS", 60_000, 1000, 3_600_000),
    },
  };
}

function deepFreeze<T>(o: T): T {
  for (const v of Object.values(o as object)) if (v && typeof v === "object") deepFreeze(v);
  return Object.freeze(o);
}
