import { fromBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { QueuedEventSchema } from "../../gen/insightplus/v1/queue_pb.js";
import type { AcceptedEvent } from "../capture/event-input.js";

/**
 * Protobuf bytes of an accepted event (insightplus.v1.QueuedEvent), as stored
 * in the stream. Written field by field with protobuf-es's BinaryWriter: on
 * the hot path, create() + toBinary() cost several times more for the same
 * bytes (a test checks they are identical).
 */
export function encodeQueuedEvent(e: AcceptedEvent): Uint8Array {
  const w = new BinaryWriter();
  if (e.uuid !== "") w.tag(1, WireType.LengthDelimited).string(e.uuid);
  if (e.event !== "") w.tag(2, WireType.LengthDelimited).string(e.event);
  if (e.distinctId !== "") w.tag(3, WireType.LengthDelimited).string(e.distinctId);
  if (e.propertiesJson !== "") w.tag(4, WireType.LengthDelimited).string(e.propertiesJson);
  if (e.timestampMs !== 0) w.tag(5, WireType.Varint).int64(e.timestampMs);
  if (e.receivedAtMs !== 0) w.tag(6, WireType.Varint).int64(e.receivedAtMs);
  if (e.timestampClamped) w.tag(7, WireType.Varint).bool(true);
  return w.finish();
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
