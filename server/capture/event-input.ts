import type { JsonObject } from "@bufbuild/protobuf";

/** An event as any transport received it (the shape of CaptureRequest and Event). */
export interface EventInput {
  event: string;
  distinctId: string;
  properties?: JsonObject;
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
