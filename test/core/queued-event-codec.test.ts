import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { decodeQueuedEvent, encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { QueuedEventSchema } from "../../gen/insightplus/v1/queue_pb.js";
import { rowsAsText } from "../../storage/clickhouse/clickhouse-client.js";
import { clickHouseRowFromQueued, clickHouseRowText, rowsText, toRow } from "../../storage/clickhouse/clickhouse-row-text.js";
import { sampleStoredEvent } from "../support/sample-stored-event.js";

describe("the stream's event encoding", () => {
  const cases = [
    {
      projectId: "default",
      uuid: "0196b2a0-0000-7000-8000-000000000001",
      event: "page_view",
      distinctId: "u1",
      propertiesJson: '{"a":"é✓"}',
      timestampMs: 1795821420123,
      receivedAtMs: 1795821420456,
      timestampClamped: true,
    },
    {
      projectId: "shop-eu",
      uuid: "0196b2a0-0000-7000-8000-000000000002",
      event: "x",
      distinctId: "ü",
      propertiesJson: "{}",
      timestampMs: 946684800000,
      receivedAtMs: 946684800000,
      timestampClamped: false,
    },
  ];
  it.each(cases)("is byte for byte what protobuf-es writes, and decodes back (%#)", (e) => {
    const reference = toBinary(
      QueuedEventSchema,
      create(QueuedEventSchema, { ...e, timestampMs: BigInt(e.timestampMs), receivedAtMs: BigInt(e.receivedAtMs) }),
    );
    expect(Buffer.from(encodeQueuedEvent(e))).toEqual(Buffer.from(reference));
    expect(decodeQueuedEvent(encodeQueuedEvent(e))).toEqual(e);
    // The binary transports hand the properties over as UTF-8 bytes: the same stream bytes.
    expect(encodeQueuedEvent({ ...e, propertiesJson: Buffer.from(e.propertiesJson) })).toEqual(encodeQueuedEvent(e));
    expect(encodeQueuedEvent({ ...e, timestampMs: -1, propertiesJson: Buffer.from(e.propertiesJson) })).toEqual(encodeQueuedEvent({ ...e, timestampMs: -1 }));
  });
});

describe("decoding", () => {
  it("skips fields it does not know (a newer writer), keeping the ones it does", () => {
    const e = {
      projectId: "default",
      uuid: "0196b2a0-0000-7000-8000-000000000003",
      event: "page_view",
      distinctId: "u",
      propertiesJson: "{}",
      timestampMs: 1,
      receivedAtMs: 2,
      timestampClamped: false,
    };
    const extra = Buffer.from([0x4a, 3, 0x61, 0x62, 0x63, 0x50, 0x05]); // field 9 "abc", field 10 varint 5
    expect(decodeQueuedEvent(new Uint8Array(Buffer.concat([Buffer.from(encodeQueuedEvent(e)), extra])))).toEqual(e);
  });
});

describe("decoding, fast path and generic reader agree", () => {
  const reference = (e: Record<string, unknown>) => toBinary(QueuedEventSchema, create(QueuedEventSchema, e as never));
  it("reads negative (10-byte) varints as protobuf-es does", () => {
    const bytes = reference({ uuid: "u", timestampMs: -5n, receivedAtMs: 1795821420456n });
    expect(decodeQueuedEvent(bytes)).toMatchObject({ uuid: "u", timestampMs: -5, receivedAtMs: 1795821420456 });
  });
  it("refuses truncated bytes", () => {
    const bytes = reference({ uuid: "0196b2a0-0000-7000-8000-000000000003", event: "page_view" });
    expect(() => decodeQueuedEvent(bytes.subarray(0, 10))).toThrow();
  });
  it("reads a plain Uint8Array as well as a Buffer", () => {
    const e = {
      projectId: "default",
      uuid: "0196b2a0-0000-7000-8000-000000000004",
      event: "é",
      distinctId: "u",
      propertiesJson: '{"a":1}',
      timestampMs: 1,
      receivedAtMs: 2,
      timestampClamped: true,
    };
    expect(decodeQueuedEvent(new Uint8Array(encodeQueuedEvent(e)))).toEqual(e);
  });
});

describe("the ClickHouse sink's rows", () => {
  const base = sampleStoredEvent;
  const variants = [
    base,
    { ...base, propertiesJson: '{"path":"/a?b=c","q":"say \\"hi\\"","n":[1,2.5,null,true],"o":{"k":"v"}}', timestampClamped: true },
    { ...base, distinctId: 'a"b\\c', event: "tab\tnew\nline\u0001\u007f", propertiesJson: '{"ctl":"\\u0000"}' },
    { ...base, distinctId: "ü✓", propertiesJson: '{"é":"😀"}' }, // not ASCII: the decoding path
    { ...base, event: "", distinctId: "", propertiesJson: "", timestampMs: 999, receivedAtMs: 1000 },
    { ...base, timestampMs: -1500 }, // a negative varint: the decoding path
  ];
  it.each(variants)("written from the stream's bytes, are the text JSON.stringify gives (%#)", (e) => {
    const raw = encodeQueuedEvent(e);
    const fromBytes = clickHouseRowFromQueued(raw) ?? clickHouseRowText(decodeQueuedEvent(raw));
    expect(rowsText([fromBytes])).toBe(JSON.stringify(toRow(decodeQueuedEvent(raw))));
  });
  it("reads out a batch of rows from bytes and from strings as one JSONEachRow text", () => {
    const rows = variants.map((e) => clickHouseRowFromQueued(encodeQueuedEvent(e)) ?? clickHouseRowText(e));
    expect(rows.filter((r) => typeof r === "string")).toHaveLength(2);
    expect(rowsText(rows)).toBe(variants.map((e) => JSON.stringify(toRow(e))).join("\n"));
  });

  it("are the JSON of the row object, passed through the client as they are", () => {
    const e = {
      projectId: "default",
      uuid: "0196b2a0-0000-7000-8000-000000000005",
      event: "page_view",
      distinctId: 'a"b\\c\u2028',
      propertiesJson: '{"x":"y\\n"}',
      timestampMs: 1795821420123,
      receivedAtMs: 1795821420999,
      timestampClamped: true,
    };
    const row = clickHouseRowText(e);
    expect(JSON.parse(row as string)).toEqual(toRow(e));
    expect(rowsAsText.stringify(row)).toBe(row);
    expect(rowsAsText.stringify({ a: 1 })).toBe('{"a":1}');
  });
});
