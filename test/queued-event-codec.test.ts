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

describe("decoding", () => {
  it("skips fields it does not know (a newer writer), keeping the ones it does", () => {
    const e = { uuid: "0196b2a0-0000-7000-8000-000000000003", event: "page_view", distinctId: "u", propertiesJson: "{}", timestampMs: 1, receivedAtMs: 2, timestampClamped: false };
    const extra = Buffer.from([0x4a, 3, 0x61, 0x62, 0x63, 0x50, 0x05]); // field 9 "abc", field 10 varint 5
    expect(decodeQueuedEvent(new Uint8Array(Buffer.concat([Buffer.from(encodeQueuedEvent(e)), extra])))).toEqual(e);
  });
});
