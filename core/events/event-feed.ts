import type { StoredEvent } from "./event-model.js";

/**
 * Events as the queue takes them, for live views (the dashboard's tail). A
 * listener is called with each batch queued after it started following; the
 * feed reads the queue only while someone follows it.
 */
export interface EventFeed {
  /** Starts delivering: every event queued after `ready` resolved reaches the listener, until `stop`. */
  follow(listener: (events: readonly StoredEvent[]) => void): { ready: Promise<void>; stop(): void };
  close(): Promise<void>;
}
