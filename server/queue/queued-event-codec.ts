import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
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

/**
 * Reads insightplus.v1.QueuedEvent field by field (the worker's hot path: the
 * generic fromBinary cost ~3× as much, mostly in garbage). Unknown fields are
 * skipped, so a newer writer's extra fields do not break an older worker.
 */
export function decodeQueuedEvent(bytes: Uint8Array): AcceptedEvent {
  const r = new BinaryReader(bytes);
  const e: AcceptedEvent = { uuid: "", event: "", distinctId: "", propertiesJson: "", timestampMs: 0, receivedAtMs: 0, timestampClamped: false };
  while (r.pos < r.len) {
    const [field, wireType] = r.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) e.uuid = r.string();
    else if (field === 2 && wireType === WireType.LengthDelimited) e.event = r.string();
    else if (field === 3 && wireType === WireType.LengthDelimited) e.distinctId = r.string();
    else if (field === 4 && wireType === WireType.LengthDelimited) e.propertiesJson = r.string();
    else if (field === 5 && wireType === WireType.Varint) e.timestampMs = Number(r.int64());
    else if (field === 6 && wireType === WireType.Varint) e.receivedAtMs = Number(r.int64());
    else if (field === 7 && wireType === WireType.Varint) e.timestampClamped = r.bool();
    else r.skip(wireType, field);
  }
  return e;
}
