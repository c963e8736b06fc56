import type { JsonObject } from "@bufbuild/protobuf";

/** An event as any transport received it (the shape of CaptureRequest and Event). */
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

/** An event as the queue holds it (what a consumer decodes). */
export interface AcceptedEvent {
  uuid: string;
  event: string;
  distinctId: string;
  propertiesJson: string;
  timestampMs: number;
  receivedAtMs: number;
  timestampClamped: boolean;
}

/**
 * A validated event, ready to be queued: the properties JSON as text or as
 * its UTF-8 bytes (the binary transports' path writes bytes, never a string).
 */
export type CapturedEvent = Omit<AcceptedEvent, "propertiesJson"> & { propertiesJson: string | Buffer };
