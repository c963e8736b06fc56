import type { Properties } from "./contract-types.js";
import type { CaptureOptions } from "./event-builder.js";

export type { CaptureOptions };

export interface FlushResult {
  /** Events still queued (e.g. the server is down; they are retried). */
  pending: number;
}

export interface ShutdownResult extends FlushResult {
  timedOut: boolean;
}

/** What init() returns, in the browser and in Node. */
export interface InsightPlusClient {
  /** Queues an event and returns its uuid, or undefined when it was refused (reported via onDrop). Never throws. */
  capture(event: string, properties?: Properties, options?: CaptureOptions): string | undefined;
  /** Later events belong to this user. */
  identify(distinctId: string): void;
  /** Forgets the user; later events get a new anonymous id. */
  reset(): void;
  /** Super-properties: merged into every later event (the event's own properties win). */
  register(properties: Properties): void;
  unregister(key: string): void;
  readonly distinctId: string;
  /** Sends what is queued now; resolves when done or when the server asked to wait. */
  flush(): Promise<FlushResult>;
  /** Flushes within timeoutMs whatever the flush interval, then stops. Safe to call twice. */
  shutdown(options?: { timeoutMs?: number }): Promise<ShutdownResult>;
}
