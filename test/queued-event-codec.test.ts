import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { QueuedEventSchema } from "../gen/insightplus/v1/queue_pb.js";
import { decodeQueuedEvent, encodeQueuedEvent } from "../server/queue/queued-event-codec.js";

describe("the stream's event encoding", () => {
  const cases = [
    { uuid: "0196b2a0-0000-7000-8000-000000000001", event: "page_view", distinctId: "u1", propertiesJson: '{"a":"é✓"}', timestampMs: 1795821420123, receivedAtMs: 1795821420456, timestampClamped: true },
    { uuid: "0196b2a0-0000-7000-8000-000000000002", event: "x", distinctId: "ü", propertiesJson: "{}", timestampMs: 946684800000, receivedAtMs: 946684800000, timestampClamped: false },
  ];
  it.each(cases)("is byte for byte what protobuf-es writes, and decodes back (%#)", (e) => {
    const reference = toBinary(QueuedEventSchema, create(QueuedEventSchema, { ...e, timestampMs: BigInt(e.timestampMs), receivedAtMs: BigInt(e.receivedAtMs) }));
    expect(Buffer.from(encodeQueuedEvent(e))).toEqual(Buffer.from(reference));
    expect(decodeQueuedEvent(encodeQueuedEvent(e))).toEqual(e);
  });
});
