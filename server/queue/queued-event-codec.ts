import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { QueuedEventSchema } from "../../gen/insightplus/v1/queue_pb.js";
import type { AcceptedEvent } from "../capture/event-input.js";

/** Protobuf bytes of an accepted event, as stored in the stream. */
export function encodeQueuedEvent(e: AcceptedEvent): Uint8Array {
  return toBinary(
    QueuedEventSchema,
    create(QueuedEventSchema, {
      uuid: e.uuid,
      event: e.event,
      distinctId: e.distinctId,
      propertiesJson: e.propertiesJson,
      timestampMs: BigInt(e.timestampMs),
      receivedAtMs: BigInt(e.receivedAtMs),
      timestampClamped: e.timestampClamped,
    }),
  );
}

export function decodeQueuedEvent(bytes: Uint8Array): AcceptedEvent {
  const m = fromBinary(QueuedEventSchema, bytes);
  return {
    uuid: m.uuid,
    event: m.event,
    distinctId: m.distinctId,
    propertiesJson: m.propertiesJson,
    timestampMs: Number(m.timestampMs),
    receivedAtMs: Number(m.receivedAtMs),
    timestampClamped: m.timestampClamped,
  };
}
