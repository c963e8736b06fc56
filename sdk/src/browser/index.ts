import { createClient, type InsightPlusClient } from "../core/client-core.js";
import { type ClientOptions, type PlatformDefaults, resolveOptions } from "../core/client-options.js";
import { createBrowserPlatform } from "./browser-platform.js";

export type { CaptureOptions, FlushResult, InsightPlusClient, ShutdownResult } from "../core/client-core.js";
export type { ClientOptions } from "../core/client-options.js";
export type { Properties, QueuedEvent, WireEvent } from "../core/contract-types.js";
export type { DropInfo, DropReason } from "../core/sdk-error.js";
export { InsightPlusError } from "../core/sdk-error.js";

export interface BrowserOptions extends ClientOptions {
  /** Keep the queue and the anonymous id in localStorage (default true). */
  persist?: boolean;
}

const browserDefaults: PlatformDefaults = {
  flushAt: 20,
  flushIntervalMs: 5_000,
  maxBatchSize: 50,
  // Every request fits a keepalive fetch, so a batch in flight survives the page.
  maxBatchBytes: 60_000,
  maxConcurrentBatches: 1,
  maxQueueSize: 1_000,
  maxQueueBytes: 1_000_000,
  shutdownTimeoutMs: 5_000,
};

/** Starts a browser client. One per page is the intended use. */
export function init(options: BrowserOptions): InsightPlusClient {
  const resolved = resolveOptions(options, browserDefaults);
  return createClient(resolved, createBrowserPlatform(resolved.host, resolved.apiKey, options.persist !== false));
}
