import type { Properties, QueuedEvent } from "./contract-types.js";
import type { QueueItem } from "./queue-item.js";
import type { SendResult } from "./send-result.js";

// The seam between the shared core and a platform (browser, Node).

export interface Transport {
  /** Sends one batch; resolves with the classified answer and never rejects. */
  send(batch: readonly QueueItem[], sentAt: string, signal: AbortSignal): Promise<SendResult>;
  /**
   * Hands a batch to the browser while the page goes away (sendBeacon /
   * fetch keepalive). Synchronous; true when the browser took it.
   */
  sendOnExit?(batch: readonly QueueItem[], sentAt: string): boolean;
  /** Largest batch body sendOnExit accepts. */
  exitMaxBytes?: number;
}

export interface Timers {
  /** keepAlive=false timers must not keep a Node process alive (unref). Returns a cancel function. */
  set(fn: () => void, ms: number, keepAlive?: boolean): () => void;
}

/** Where the queue outlives the page or process. */
export interface QueueStorage {
  /** This client's events left by a previous page load. */
  load(): QueuedEvent[];
  /** Mirrors the queue, oldest first; returns how many were persisted (the rest did not fit). */
  save(items: readonly QueueItem[]): number;
  /**
   * Takes over the queues of clients that are gone (closed tabs). Calls
   * `accept` under a cross-tab lock; accept returns how many it took.
   */
  adopt?(accept: (events: QueuedEvent[]) => number): Promise<void>;
  /** Resolves once writes reach storage (the browser waits for its tab claim). */
  readonly ready?: Promise<void>;
  /** Stops claiming the queue: the page is going away, others may adopt it. */
  release?(): void;
  /** Claims a queue again (back from the back/forward cache), under a new identity. */
  reclaim?(): Promise<void>;
}

export interface Identity {
  anonymousId: string;
  distinctId?: string;
}

export interface IdentityStorage {
  load(): Identity | undefined;
  save(identity: Identity): void;
}

export interface Network {
  online(): boolean;
  subscribe(onChange: (online: boolean) => void): () => void;
}

export interface LifecycleHandlers {
  /** The page is hidden; `final` when it is being unloaded or frozen (pagehide). */
  hide(final: boolean): void;
  /** Visible again; `restored` when it came back from the back/forward cache. */
  show(restored: boolean): void;
}

export interface Platform {
  transport: Transport;
  timers: Timers;
  now(): number;
  uuid(): string;
  storage?: QueueStorage;
  identity?: IdentityStorage;
  network?: Network;
  lifecycle?: { subscribe(handlers: LifecycleHandlers): () => void };
  /** Called when the process is about to exit with work left (Node's beforeExit). */
  exit?: { subscribe(onExit: () => void): () => void };
  /** Where the event happens, sent with each (browsers: the page URL and referrer the server's enrichment reads). */
  pageProperties?(): Properties;
}
