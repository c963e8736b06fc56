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

/** A validated event, ready to be queued. */
export interface AcceptedEvent {
  uuid: string;
  event: string;
  distinctId: string;
  propertiesJson: string;
  timestampMs: number;
  receivedAtMs: number;
  timestampClamped: boolean;
}
