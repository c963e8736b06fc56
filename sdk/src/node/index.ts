import { createClient, type InsightPlusClient } from "../core/client-core.js";
import { type ClientOptions, type PlatformDefaults, resolveOptions } from "../core/client-options.js";
import { createNodePlatform, type NodeTransportChoice } from "./node-platform.js";

export type { CaptureOptions, FlushResult, InsightPlusClient, ShutdownResult } from "../core/client-core.js";
export type { ClientOptions } from "../core/client-options.js";
export type { Properties, QueuedEvent, WireEvent } from "../core/contract-types.js";
export type { Transport } from "../core/platform.js";

import type { Transport } from "../core/platform.js";

export type { DropInfo, DropReason } from "../core/sdk-error.js";
export { InsightPlusError } from "../core/sdk-error.js";
export type { NodeTransportChoice } from "./node-platform.js";

export interface NodeOptions extends ClientOptions {
  /**
   * How batches travel (default "json": fetch to POST /api/v1/batch, measured fastest, see README).
   * "grpc", "grpc-stream" and "connect" need the optional peers @connectrpc/connect and @connectrpc/connect-node.
   */
  transport?: NodeTransportChoice | Transport;
  /** Extra request headers (e.g. authorization). */
  headers?: Record<string, string>;
  /**
   * When the event loop empties with events queued (beforeExit), send them
   * within shutdownTimeoutMs before letting the process exit (default true).
   * process.exit() skips this: call shutdown() first.
   */
  flushOnExit?: boolean;
}

export const nodeDefaults: PlatformDefaults = {
  flushAt: 20,
  flushIntervalMs: 5_000,
  maxBatchSize: 500,
  maxBatchBytes: 400_000,
  maxConcurrentBatches: 4,
  maxQueueSize: 10_000,
  maxQueueBytes: 16_000_000,
  shutdownTimeoutMs: 5_000,
};

/** Starts a Node client. Its timers never keep the process alive. */
export function init(options: NodeOptions): InsightPlusClient {
  const resolved = resolveOptions(options, nodeDefaults);
  const platform = createNodePlatform({
    host: resolved.host,
    transport: options.transport ?? "json",
    headers: resolved.apiKey ? { authorization: `Bearer ${resolved.apiKey}`, ...options.headers } : options.headers,
    flushOnExit: options.flushOnExit !== false,
  });
  return createClient(resolved, platform);
}
