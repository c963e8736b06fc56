import { config as loadDotenv } from "dotenv";
import { ConfigError, parseEnv } from "./config-parse.js";

export { ConfigError };

/** Validated, frozen settings. Names follow the original project's .env where one existed. */
export interface Config {
  port: number;
  host: string;
  logLevel: string;
  redisUrl: string | undefined;
  /** Redis Stream key the capture path appends to (the original's REDIS_QUEUE). */
  streamKey: string;
  /** Refuse new events (503) while the stream holds more entries than this. */
  backlogWatermark: number;
  /** Seconds clients are told to wait (Retry-After) when refused for load or an outage. */
  retryAfterSeconds: number;
  /** Allowed event names; ["*"] allows any. */
  allowedEvents: readonly string[];
  maxEventBytes: number;
  maxRequestBytes: number;
  corsOrigins: readonly string[];
  databaseType: "clickhouse" | "postgres";
  shutdownTimeoutMs: number;
}

export const defaultAllowedEvents = ["user_registered", "payment_success", "most_used_feature", "page_view"];

/**
 * Reads the environment (and `.env`, when present) into a Config.
 * Throws ConfigError naming the variable on any invalid value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, dotenvPath?: string): Config {
  if (env === process.env) loadDotenv({ path: dotenvPath, quiet: true } as never);
  const p = parseEnv(env);
  return Object.freeze({
    port: p.int("PORT", 7002, 0, 65535),
    host: p.string("HOST", "0.0.0.0"),
    logLevel: p.oneOf("LOG_LEVEL", "info", ["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    redisUrl: p.url("REDIS_URL", ["redis:", "rediss:"]),
    streamKey: p.string("REDIS_QUEUE", "insightplus:events"),
    backlogWatermark: p.int("BACKLOG_WATERMARK", 1_000_000, 1, Number.MAX_SAFE_INTEGER),
    retryAfterSeconds: p.int("RETRY_AFTER_SECONDS", 2, 1, 3600),
    allowedEvents: Object.freeze(p.list("ALLOWED_EVENTS", defaultAllowedEvents)),
    maxEventBytes: p.int("MAX_EVENT_BYTES", 32 * 1024, 256, 16 * 1024 * 1024),
    maxRequestBytes: p.int("MAX_REQUEST_BYTES", 512 * 1024, 1024, 256 * 1024 * 1024),
    corsOrigins: Object.freeze(p.list("CORS_ORIGINS", ["*"])),
    databaseType: p.oneOf("DATABASE_TYPE", "clickhouse", ["clickhouse", "postgres"]),
    shutdownTimeoutMs: p.int("SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
  });
}
