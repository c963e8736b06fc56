import { create, createFileRegistry, type DescFile, type DescMessage, fromBinary, type JsonValue } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EventInput } from "../../core/events/event-model.js";
import {
  CaptureBatchRequestSchema,
  CaptureEventsRequestSchema,
  CaptureRequestSchema,
  CaptureService,
  file_insightplus_v1_capture_service,
} from "../../gen/insightplus/v1/capture_service_pb.js";
import { EventSchema } from "../../gen/insightplus/v1/event_pb.js";
import { binaryViewOf, type ViewMethod } from "../../server/rpc/binary-view.js";
import { binaryConnectRoutes } from "../../server/rpc/service-registry.js";

import { bytes, genericPath, type Kind, len, readsAcross, served, utf8, validate, view, viewPath } from "../support/binary-view-paths.js";
import { batch, entry, single, valueBytes } from "../support/capture-request-arbitraries.js";

// Binary requests are read through the binary view (server/rpc/binary-view.ts); this
// checks that it reads what protobuf-es's generic decoder reads: random requests,
// encoded by protobuf-es and then bent at the wire level, are decoded both ways and
// go through the same validator; per event, the same event or the same refusal, or
// the request refused as a whole by both.

const tally = new Map<string, number>();
const count = (k: string) => tally.set(k, (tally.get(k) ?? 0) + 1);

function sameAsGeneric(schema: DescMessage, method: ViewMethod, kind: Kind, wire: Uint8Array) {
  const generic = genericPath(schema, kind, wire);
  const viewed = viewPath(method, kind, wire);
  if (readsAcross(schema, wire)) {
    // protobuf-es read on past an event's or Struct's end: the view refuses (or, the run staying inside one Struct, reads the same).
    count(`${kind}: reads across a boundary (view ${"wholeRequest" in viewed ? "refused" : "read the same"})`);
    if (!("wholeRequest" in viewed)) expect(viewed).toEqual(generic);
    return;
  }
  count(`${kind}: ${"wholeRequest" in generic ? "refused as a whole" : "per event"}`);
  expect(viewed).toEqual(generic);
}

describe("the binary view reads what protobuf-es reads", () => {
  it("CaptureEvents: random and bent batches give the same events, refusals, or whole-request refusal", () => {
    fc.assert(
      fc.property(batch, ({ wire }) => sameAsGeneric(CaptureEventsRequestSchema, served("CaptureEvents"), "batch", wire)),
      { numRuns: 3000 },
    );
  });

  it("CaptureBatch (one stream message): the same", () => {
    fc.assert(
      fc.property(batch, ({ wire }) => sameAsGeneric(CaptureBatchRequestSchema, served("CaptureBatch"), "batch", wire)),
      { numRuns: 500 },
    );
  });

  it("Capture: random and bent single events give the same event, refusal, or whole-request refusal", () => {
    fc.assert(
      fc.property(single, ({ wire }) => sameAsGeneric(CaptureRequestSchema, served("Capture"), "single", wire)),
      { numRuns: 3000 },
    );
    // What the runs covered (printed, not asserted: it shows the bends reach every outcome).
    console.info(Object.fromEntries(tally));
    for (const k of ["batch: per event", "batch: refused as a whole", "single: per event", "single: refused as a whole"])
      expect(tally.get(k)).toBeGreaterThan(50);
  });
});

describe("protobuf-es 2.13's fromBinary, as the view must match it", () => {
  const ev = (...fields: Uint8Array[]) => fromBinary(EventSchema, bytes(...fields));
  const entryOf = (k: string, v: JsonValue) => entry(utf8(k), valueBytes(v));

  it("refuses invalid UTF-8 in any string, Struct keys and values too, and drops one leading BOM", () => {
    expect(() => ev(len(2, [0xc3, 0x28]))).toThrow(/utf-8/);
    expect(() => ev(len(3, entry([0xff], valueBytes("x"))))).toThrow(/utf-8/);
    expect(() => ev(len(3, entry(utf8("k"), len(3, [0xff]))))).toThrow(/utf-8/);
    expect(ev(len(15, [0xff])).$unknown).toHaveLength(1); // unknown fields are not decoded
    expect(ev(len(2, utf8("\uFEFF\uFEFFu1"))).distinctId).toBe("\uFEFFu1");
    expect(ev(len(2, utf8("a\uFFFD"))).distinctId).toBe("a\uFFFD"); // a real U+FFFD is text (the validator refuses it, per event)
  });

  it("lets the last of a repeated string win, merges a message field sent twice, and lets the last of a repeated map key win", () => {
    expect(ev(len(1, utf8("a")), len(1, utf8("b"))).event).toBe("b");
    expect(ev(len(3, entryOf("a", 1)), len(3, entryOf("b", 2))).properties).toEqual({ a: 1, b: 2 });
    expect(ev(len(3, bytes(entryOf("a", 1), entryOf("b", 2), entryOf("a", 3)))).properties).toEqual({ a: 3, b: 2 });
    expect(ev(len(3, entryOf("a", { x: 1 })), len(3, entryOf("a", { y: 2 }))).properties).toEqual({ a: { y: 2 } }); // map values replace
  });

  it("drops a __proto__ Struct key without a word, and reads on across a message's end", () => {
    const e = ev(len(3, bytes(entryOf("__proto__", { admin: true }), entryOf("z", 1))));
    expect([Object.keys(e.properties!), Object.getPrototypeOf(e.properties)]).toEqual([["z"], Object.prototype]);
    // The properties claim 2 bytes, their one entry 3: protobuf-es reads that entry on into the next 3
    // bytes, which were the event's field 1 ("k"), and goes on reading the event after them.
    const across = fromBinary(EventSchema, bytes(len(1, utf8("page_view")), [0x1a, 2, 0x0a, 3], len(1, utf8("k")), len(2, utf8("u1"))));
    expect([across.event, across.properties, across.distinctId]).toEqual(["page_view", { k: null }, "u1"]);
  });
});

describe("the view, beyond protobuf-es", () => {
  const read = (name: string, wire: Uint8Array) => served(name).read(fromBinary(served(name).method.input, wire) as never);

  it("refuses a __proto__ key wherever it is (protobuf-es drops it), as the JSON transports refuse it", () => {
    const proto = entry(utf8("__proto__"), valueBytes({ admin: true }));
    for (const s of [proto, bytes(entry(utf8("a"), valueBytes(1)), proto), bytes(proto, entry(utf8("a"), valueBytes(1)), entry(utf8("a"), valueBytes(2)))]) {
      const req = read("Capture", bytes(len(1, utf8("page_view")), len(2, utf8("u1")), len(3, s)));
      expect(validate(req as unknown as EventInput)).toEqual({ refused: expect.objectContaining({ field: "properties.__proto__" }) });
    }
  });

  it("names the event and field it refuses a request for", () => {
    const ok = len(1, bytes(len(1, utf8("page_view")), len(2, utf8("u1"))));
    expect(() => read("CaptureEvents", bytes(ok, len(1, bytes(len(2, [0xff])))))).toThrow("events[1].distinctId is not valid UTF-8");
    expect(() => read("CaptureEvents", bytes(ok, len(1, len(3, entry(utf8("k"), len(3, [0xff]))))))).toThrow("events[1].properties is not valid UTF-8");
    expect(() => read("Capture", len(3, [0x0a, 9]))).toThrow("properties is not a valid google.protobuf.Struct");
  });

  it("refuses a request where a length runs past the Struct holding it (protobuf-es reads on across)", () => {
    const wire = bytes(len(1, utf8("page_view")), [0x1a, 2, 0x0a, 3], len(1, utf8("k")), len(2, utf8("u1")));
    expect(() => fromBinary(CaptureRequestSchema, wire)).not.toThrow();
    expect(() => read("Capture", wire)).toThrow("properties is not a valid google.protobuf.Struct");
  });
});

describe("which methods the view serves", () => {
  it("serves every CaptureService method, and says so", () => {
    expect(view.served.map((m) => m.method.name)).toEqual(["Capture", "CaptureEvents", "CaptureBatch"]);
    expect(view.generic).toEqual([]);
    const impl = { capture() {}, captureEvents() {}, captureBatch() {} };
    expect(binaryConnectRoutes([{ service: CaptureService, impl: impl as never }]).description).toEqual({
      "insightplus.v1.CaptureService/Capture": "binary view",
      "insightplus.v1.CaptureService/CaptureEvents": "binary view",
      "insightplus.v1.CaptureService/CaptureBatch": "binary view",
    });
  });

  it("leaves a method whose response holds a Struct to the real schema, and says why, serving the others", () => {
    const proto = create(FileDescriptorProtoSchema, {
      name: "test/echo.proto",
      package: "test",
      syntax: "proto3",
      dependency: ["insightplus/v1/capture_service.proto", "insightplus/v1/event.proto"],
      service: [
        {
          name: "Echo",
          method: [
            { name: "Echo", inputType: ".insightplus.v1.CaptureRequest", outputType: ".insightplus.v1.Event" },
            { name: "Batch", inputType: ".insightplus.v1.CaptureEventsRequest", outputType: ".insightplus.v1.CaptureEventsResponse" },
          ],
        },
      ],
    });
    const files = new Map<string, DescFile>();
    const collect = (f: DescFile) => {
      files.set(f.proto.name, f);
      f.dependencies.forEach(collect);
    };
    collect(file_insightplus_v1_capture_service);
    const registry = createFileRegistry(proto, (name) => files.get(name));
    const echo = binaryViewOf(registry.getService("test.Echo")!);
    expect(echo.served.map((m) => m.method.name)).toEqual(["Batch"]);
    expect(echo.generic.map((g) => [g.method.name, g.reason])).toEqual([["Echo", expect.stringContaining("its response holds")]]);
    const routes = binaryConnectRoutes([{ service: registry.getService("test.Echo")!, impl: { echo() {}, batch() {} } as never }]);
    expect(routes.description["test.Echo/Echo"]).toMatch(/^real schema: its response holds/);
  });
});
