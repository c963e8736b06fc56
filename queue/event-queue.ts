import type { ValidatedEvent } from "../core/events/event-model.js";

/** The publishing side of the queue seam: what the capture path needs. */
export interface EventPublisher {
  /**
   * Appends the events; resolves once the queue holds every one of them.
   * Rejects with UnavailableError when the queue is down or over its backlog watermark.
   */
  publish(events: readonly ValidatedEvent[]): Promise<void>;
  /** True when the queue can take events now. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** One delivery of a queued event to a consumer. */
export interface QueueEntry {
  id: string;
  /** The stored bytes, kept for the dead-letter stream. */
  raw: Uint8Array;
  /** How many times this entry has been delivered, this delivery included. */
  deliveries: number;
}

/**
 * The consuming side of the queue seam: what the worker needs. Entries read
 * stay pending until acked; entries a dead consumer left pending are handed
 * to live ones after an idle time.
 */
export interface EventConsumer {
  /** Up to `max` entries: stale ones reclaimed from dead consumers first, then new ones (waiting up to `waitMs`). */
  read(max: number, waitMs: number): Promise<QueueEntry[]>;
  /** Marks entries done; the queue may then drop what every consumer group has acked. */
  ack(ids: readonly string[]): Promise<void>;
  /**
   * Tells the queue this consumer still holds the entries (resets their idle
   * time without counting a delivery), so a long database outage is not
   * mistaken for a dead consumer and does not use up their deliveries.
   */
  keepAlive(ids: readonly string[]): Promise<void>;
  /** Moves entries to the dead-letter stream with their reason, and acks them. */
  deadLetter(items: ReadonlyArray<{ entry: QueueEntry; reason: string }>): Promise<void>;
  close(): Promise<void>;
}
