import type { EventFeed } from "../core/events/event-feed.js";
import type { StoredEvent } from "../core/events/event-model.js";
import type { EventPublisher } from "./event-queue.js";

/**
 * The feed of a queue only this process writes (the embedded mode): the
 * publisher tells the followers what it has queued, once publish resolved.
 */
export function feedPublishedEvents(publisher: EventPublisher): { publisher: EventPublisher; feed: EventFeed } {
  const listeners = new Set<(events: readonly StoredEvent[]) => void>();
  return {
    publisher: {
      async publish(events) {
        await publisher.publish(events);
        if (listeners.size === 0) return;
        const stored = events.map((e) => ({ ...e, propertiesJson: e.propertiesJson.toString() }));
        for (const listener of listeners) listener(stored);
      },
      ready: () => publisher.ready(),
      close: () => publisher.close(),
    },
    feed: {
      follow(listener) {
        listeners.add(listener);
        return { ready: Promise.resolve(), stop: () => listeners.delete(listener) };
      },
      close: async () => listeners.clear(),
    },
  };
}
