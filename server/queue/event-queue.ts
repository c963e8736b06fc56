import type { AcceptedEvent } from "../capture/event-input.js";

/** The publishing side of the queue seam: what the capture path needs. */
export interface EventPublisher {
  /**
   * Appends the events; resolves once the queue holds every one of them.
   * Rejects with UnavailableError when the queue is down or over its backlog watermark.
   */
  publish(events: readonly AcceptedEvent[]): Promise<void>;
  /** True when the queue can take events now. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}
