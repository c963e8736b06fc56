import type { StoredEvent } from "../../core/events/event-model.js";

/** One event as the queue and the database keep it, for tests of row encoders: vary it with spreads. */
export const sampleStoredEvent: StoredEvent = {
  projectId: "default",
  uuid: "0196b2a0-0000-7000-8000-000000000006",
  event: "page_view",
  distinctId: "u1",
  propertiesJson: "{}",
  timestampMs: 1795821420123,
  receivedAtMs: 1795821420999,
  timestampClamped: false,
};
