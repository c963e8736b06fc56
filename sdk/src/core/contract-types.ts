import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { CaptureEventsResponse } from "../gen/insightplus/v1/capture_service_pb.js";
import type { Event, Rejection } from "../gen/insightplus/v1/event_pb.js";

// Type-only imports of the generated contract: erased from every bundle, yet a
// renamed or retyped proto field breaks the SDK's compile.

type Fields<T> = Omit<T, "$typeName" | "$unknown">;

export type { JsonObject, JsonValue };

/** Event properties: any JSON object (the contract's google.protobuf.Struct). */
export type Properties = JsonObject;

/** One event in the proto's JSON mapping, as it goes over the wire. */
export type WireEvent = Fields<Event>;

/** An event as the SDK queues it; `sentAt` is added to the batch at send time. */
export type QueuedEvent = Omit<WireEvent, "sentAt" | "properties"> & { properties?: Properties };

/** The server's reason for refusing one event of a batch. */
export type RejectionJson = Fields<Rejection>;

/** Answer of CaptureEvents (POST /api/v1/batch) in its JSON mapping. */
export type BatchResponseJson = Partial<Omit<Fields<CaptureEventsResponse>, "rejected">> & {
  rejected?: RejectionJson[];
};
