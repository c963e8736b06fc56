import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CaptureEventsRequestSchema, CaptureRequestSchema } from "../../gen/insightplus/v1/capture_service_pb.js";
import { createFlatJsonReader } from "../../server/rest/flat-json-reader.js";

const read = createFlatJsonReader(CaptureRequestSchema)!;
const generic = (json: Record<string, unknown>) => fromJson(CaptureRequestSchema, json as JsonValue, { ignoreUnknownFields: true });

describe("the flat JSON reader (REST single-event path)", () => {
  it.each([
    { event: "page_view", distinctId: "u1" },
    { event: "page_view", distinct_id: "u1", sent_at: "2026-11-28T00:00:00Z", uuid: "0196b2a0-0000-7000-8000-000000000001", timestamp: "2026-11-28T00:00:00Z" },
    { event: "é✓ 😀", distinctId: "", someday: "a field of a newer contract", n: 5 },
  ])("reads what fromJson reads (%#)", (json) => {
    expect(read({ ...json })).toEqual({ ...generic({ ...json }) });
  });

  it.each([
    { event: 5 },
    { event: null },
    { distinctId: "lone \ud800 surrogate" },
    { properties: "not an object" }, // a Struct left in place: fromJson names it
  ])("leaves anything but plain strings to fromJson (%#)", (json) => {
    expect(read(json as Record<string, unknown>)).toBeUndefined();
  });

  it("is only made for messages of strings (and lifted Structs)", () => {
    expect(createFlatJsonReader(CaptureEventsRequestSchema)).toBeUndefined();
  });
});
