import type { BackoffOptions } from "./backoff.js";
import type { Properties } from "./contract-types.js";
import type { DropHandler, ErrorHandler } from "./sdk-error.js";

export interface ClientOptions {
  /** Base URL of the InsightPlus server, e.g. "https://insights.example.com". */
  host: string;
  /** The project's write key (ipw_…): public, it names the project the events belong to. */
  apiKey?: string;
  /** Flush once this many events are waiting (default 20). */
  flushAt?: number;
  /** …or after this long (default 5000 ms). */
  flushIntervalMs?: number;
  /** Events per request at most (browser 50, Node 500). */
  maxBatchSize?: number;
  /** Bytes per request at most (browser 60 KB so every request can be keepalive, Node 400 KB). */
  maxBatchBytes?: number;
  /** Batches in flight at once (browser 1, Node 4). */
  maxConcurrentBatches?: number;
  /** Queue cap in events (browser 1,000, Node 10,000); events beyond it are refused and reported. */
  maxQueueSize?: number;
  /** Queue cap in bytes (browser 1 MB, Node 16 MB). */
  maxQueueBytes?: number;
  /** Events that will never be delivered, with why. Without it they are logged with console.warn. */
  onDrop?: DropHandler;
  /** Failures, including each failed attempt that will be retried (error.retryInMs is set then). */
  onError?: ErrorHandler;
  /** Start identified as this user. */
  distinctId?: string;
  /** Super-properties sent with every event (see register()). */
  properties?: Properties;
  /** Retry delays; defaults ~500 ms × 2^n with jitter, capped at 30 s. */
  retry?: BackoffOptions;
  /** shutdown()'s default timeout (5000 ms). */
  shutdownTimeoutMs?: number;
}

export type ResolvedOptions = Required<
  Pick<
    ClientOptions,
    "host" | "flushAt" | "flushIntervalMs" | "maxBatchSize" | "maxBatchBytes" | "maxConcurrentBatches" | "maxQueueSize" | "maxQueueBytes" | "shutdownTimeoutMs"
  >
> &
  ClientOptions;

export type PlatformDefaults = Omit<ResolvedOptions, "host">;

export function resolveOptions(options: ClientOptions, defaults: PlatformDefaults): ResolvedOptions {
  if (!options || typeof options.host !== "string" || !/^https?:\/\//.test(options.host)) {
    throw new TypeError('insightplus: init({ host }) needs an http(s) URL, e.g. "https://insights.example.com"');
  }
  const resolved = { ...defaults } as ResolvedOptions;
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (resolved as unknown as Record<string, unknown>)[key] = value;
  }
  resolved.host = options.host.replace(/\/+$/, "");
  return resolved;
}
