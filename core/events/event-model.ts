import type { JsonObject } from "@bufbuild/protobuf";

/** An event name or distinct id is at most this many characters (capture refuses longer ones). */
export const longestName = 200;

/** An event uuid as clients may send it (any version, either case). */
export const eventUuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An event as a transport received it (the shape of CaptureRequest and Event), not yet checked. */
export interface EventInput {
  event: string;
  distinctId: string;
  /**
   * A JSON object (JSON transports), or the google.protobuf.Struct wire bytes
   * as the binary transports received them (decoded and checked in one pass).
   */
  properties?: JsonObject | Uint8Array;
  timestamp: string;
  uuid: string;
  sentAt: string;
}

/**
 * An event as it is stored: in the queue (insightplus.v1.QueuedEvent) and, one
 * row per uuid, in the database. What a consumer decodes from the queue.
 */
export interface StoredEvent {
  /** The project it belongs to (core/access/project-model.ts). */
  projectId: string;
  uuid: string;
  event: string;
  distinctId: string;
  propertiesJson: string;
  timestampMs: number;
  receivedAtMs: number;
  timestampClamped: boolean;
}

/**
 * An event that passed validation (uuid assigned, time resolved), not yet
 * queued: the properties JSON as text or as its UTF-8 bytes (the binary
 * transports' path writes bytes, never a string).
 */
export type ValidatedEvent = Omit<StoredEvent, "propertiesJson"> & { propertiesJson: string | Buffer };
