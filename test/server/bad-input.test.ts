import http2 from "node:http2";
import type { JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaptureService } from "../../gen/insightplus/v1/capture_service_pb.js";
import { postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asWriter, sendingKey } from "../support/test-keys.js";

let server: InProcessServer;
beforeAll(async () => {
  server = await startInProcessServer();
});
afterAll(() => server.close());

const nested = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
const ok = { event: "page_view", distinctId: "u1" };

// [case, body (string = sent raw), expected status, field named]
const cases: Array<[string, unknown, number, string]> = [
  ["malformed JSON", '{"event": "page_view", "distinctId": ', 400, "body"],
  ["a JSON array body", "[1,2]", 400, "body"],
  ["a JSON string body", '"hello"', 400, "body"],
  ["an empty body", "", 400, "body"],
  ["missing event", { distinctId: "u1" }, 400, "event"],
  ["missing distinctId", { event: "page_view" }, 400, "distinctId"],
  ["distinctId of the wrong type", { event: "page_view", distinctId: 123 }, 400, "distinctId"],
  ["event of the wrong type", { event: ["page_view"], distinctId: "u1" }, 400, "event"],
  ["an unknown event name", { event: "rm -rf", distinctId: "u1" }, 400, "event"],
  ["properties as an array", { ...ok, properties: [1, 2] }, 400, "properties"],
  ["properties as a string", { ...ok, properties: "plan=free" }, 400, "properties"],
  ["a __proto__ key", '{"event":"page_view","distinctId":"u1","properties":{"__proto__":{"admin":true}}}', 400, "properties.__proto__"],
  ["a constructor key", { ...ok, properties: { constructor: { prototype: 1 } } }, 400, "properties.constructor"],
  ["a top-level __proto__ key", '{"event":"page_view","distinctId":"u1","__proto__":{"x":1}}', 400, "__proto__"],
  ["properties nested 12 deep", { ...ok, properties: nested(12) }, 400, "properties.a.a.a.a.a.a.a.a.a.a"],
  [
    "a body nested 50,000 deep",
    `{"event":"page_view","distinctId":"u1","properties":{"a":${"[".repeat(50_000)}${"]".repeat(50_000)}}}`,
    400,
    "properties.a[0][0][0][0][0][0][0][0][0][0][0][0][0][0]",
  ],
  ["timestamp in words", { ...ok, timestamp: "yesterday" }, 400, "timestamp"],
  ["an impossible date", { ...ok, timestamp: "2024-02-30T10:00:00Z" }, 400, "timestamp"],
  ["a timestamp in 1970", { ...ok, timestamp: "1970-01-01T00:00:00Z" }, 400, "timestamp"],
  ["a timestamp in the year 3000", { ...ok, timestamp: "3000-01-01T00:00:00Z" }, 400, "timestamp"],
  ["a timestamp as a number", { ...ok, timestamp: 1700000000 }, 400, "timestamp"],
  ["an invalid sentAt", { ...ok, sentAt: "now" }, 400, "sentAt"],
  ["a uuid that is not one", { ...ok, uuid: "1234" }, 400, "uuid"],
  ["a NUL in distinctId", { event: "page_view", distinctId: "a\u0000b" }, 400, "distinctId"],
  ["a lone surrogate", '{"event":"page_view","distinctId":"\\ud800"}', 400, "distinctId"],
  ["most_used_feature without feature", { event: "most_used_feature", distinctId: "u1", properties: { duration: 3 } }, 400, "properties.feature"],
  ["most_used_feature with a numeric feature", { event: "most_used_feature", distinctId: "u1", properties: { feature: 7 } }, 400, "properties.feature"],
  ["an event over 32 KB", { ...ok, properties: { blob: "x".repeat(40_000) } }, 413, "properties"],
  ["a body over 512 KB", { ...ok, properties: { blob: "x".repeat(600_000) } }, 413, "body"],
];

describe("REST: bad input is refused, names the field, and queues nothing", () => {
  it.each(cases)("%s", async (_name, body, status, field) => {
    const before = await server.streams.length();
    const res = await postJson(`${server.url}/api/v1/capture`, body);
    expect(res.status).toBe(status);
    expect(res.json.field).toBe(field);
    expect(res.json.message).toContain(field === "body" ? "body" : field.split(".")[0]);
    expect(await server.streams.length()).toBe(before);
  });

  it("refuses invalid UTF-8 bytes", async () => {
    const bytes = Buffer.concat([Buffer.from('{"event":"page_view","distinctId":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await postJson(`${server.url}/api/v1/capture`, new Uint8Array(bytes));
    expect(res.status).toBe(400);
    expect(res.json.message).toContain("UTF-8");
  });

  it("refuses bad batches as a whole when the batch itself is malformed", async () => {
    expect((await postJson(`${server.url}/api/v1/batch`, { events: [] })).json.field).toBe("events");
    expect((await postJson(`${server.url}/api/v1/batch`, { events: "x" })).status).toBe(400);
  });

  it("keeps serving after all of the above", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await postJson(`${server.url}/api/v1/capture`, ok)).status).toBe(200);
  });
});

describe("gRPC and Connect: bad input is INVALID_ARGUMENT", () => {
  const grpc = () => createClient(CaptureService, createGrpcTransport({ interceptors: [sendingKey()], baseUrl: server.url }));

  it("refuses a missing distinctId over gRPC", async () => {
    const err = ConnectError.from(
      await grpc()
        .capture({ event: "page_view" })
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe("distinctId is required");
  });

  // Binary requests read properties straight from the Struct's wire bytes (capture/struct-wire-json.ts):
  // the same limits must hold there, named the same way.
  it.each([
    ["a constructor key", { constructor: { prototype: 1 } }, "page_view", "properties.constructor"],
    ["properties nested 12 deep", nested(12), "page_view", "properties.a.a.a.a.a.a.a.a.a.a"],
    ["a NUL in a property value", { note: "a\u0000b" }, "page_view", "properties.note"],
    ["most_used_feature without feature", { duration: 3 }, "most_used_feature", "properties.feature"],
    ["most_used_feature with a numeric feature", { feature: 7 }, "most_used_feature", "properties.feature"],
  ])("refuses %s over gRPC, naming the field, and queues nothing", async (_name, properties, event, field) => {
    const before = await server.streams.length();
    const err = ConnectError.from(
      await grpc()
        .capture({ event, distinctId: "u1", properties: properties as JsonObject })
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage.startsWith(`${field} `)).toBe(true);
    const batch = await grpc().captureEvents({ events: [{ event, distinctId: "u1", properties: properties as JsonObject }, ok] });
    expect(batch.rejected).toEqual([
      { index: 0, reason: expect.stringMatching(`^${field.replaceAll(".", "\\.")} `), field, $typeName: "insightplus.v1.Rejection" },
    ]);
    expect(await server.streams.length()).toBe(before + 1);
  });

  it("refuses a __proto__ property over Connect JSON", async () => {
    const res = await postJson(
      `${server.url}/insightplus.v1.CaptureService/Capture`,
      '{"event":"page_view","distinctId":"u1","properties":{"__proto__":{"x":1}}}',
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid_argument", message: expect.stringContaining("properties.__proto__") });
  });

  it("refuses garbage protobuf bytes over gRPC (h2) with INVALID_ARGUMENT", async () => {
    const session = http2.connect(server.url);
    try {
      const status = await new Promise<string | undefined>((resolve, reject) => {
        const req = session.request({
          ":method": "POST",
          ":path": "/insightplus.v1.CaptureService/Capture",
          "content-type": "application/grpc",
          ...asWriter,
          te: "trailers",
        });
        req.on("trailers", (t) => resolve(String(t["grpc-status"])));
        req.on("error", reject);
        req.on("end", () => resolve(undefined));
        req.resume();
        req.end(Buffer.from([0, 0, 0, 0, 3, 0x0a, 0xff, 0xff]));
      });
      expect(status).toBe(String(Code.InvalidArgument));
    } finally {
      session.close();
    }
  });

  // CaptureEvents over binary reads each Event from its bytes (rpc/flat-message-reader.ts).
  const grpcCall = (body: Buffer) =>
    new Promise<{ status: string; message: string }>((resolve, reject) => {
      const session = http2.connect(server.url);
      const req = session.request({
        ":method": "POST",
        ":path": "/insightplus.v1.CaptureService/CaptureEvents",
        "content-type": "application/grpc",
        ...asWriter,
        te: "trailers",
      });
      req.on("trailers", (t) => {
        resolve({ status: String(t["grpc-status"]), message: decodeURIComponent(String(t["grpc-message"] ?? "")) });
        session.close();
      });
      req.on("error", reject);
      req.resume();
      const frame = Buffer.alloc(5);
      frame.writeUInt32BE(body.length, 1);
      req.end(Buffer.concat([frame, body]));
    });
  const len = (field: number, body: Buffer) => Buffer.concat([Buffer.from([(field << 3) | 2, body.length]), body]);
  const eventBytes = (extra: Buffer) => Buffer.concat([len(1, Buffer.from("page_view")), len(2, Buffer.from("u-flat")), extra]);

  it("reads an Event with a field it does not know (a newer client) like protobuf-es does", async () => {
    const before = await server.streams.length();
    const res = await grpcCall(len(1, eventBytes(Buffer.from([15 << 3, 7])))); // field 15, varint 7
    expect(res.status).toBe("0");
    expect(await server.streams.length()).toBe(before + 1);
  });

  it("refuses an Event whose bytes are not a message, naming it, and queues nothing", async () => {
    const before = await server.streams.length();
    const res = await grpcCall(Buffer.concat([len(1, eventBytes(Buffer.alloc(0))), len(1, Buffer.from([0x0a, 0x7f, 0x61]))]));
    expect(res.status).toBe(String(Code.InvalidArgument));
    expect(res.message).toContain("events[1]");
    expect(await server.streams.length()).toBe(before);
  });

  it("refuses a string field with invalid UTF-8 in protobuf bytes", async () => {
    // field 1 (event) = "page_view"; field 2 (distinct_id) = 0xC3 0x28 (invalid UTF-8)
    const event = Buffer.from("page_view");
    const body = Buffer.concat([Buffer.from([0x0a, event.length]), event, Buffer.from([0x12, 2, 0xc3, 0x28])]);
    const res = await fetch(`${server.url}/insightplus.v1.CaptureService/Capture`, {
      method: "POST",
      headers: { "content-type": "application/proto", ...asWriter },
      body: new Uint8Array(body),
    });
    expect(res.status).toBe(400);
  });

  it("refuses Connect JSON nested 50,000 deep without crashing", async () => {
    const res = await fetch(`${server.url}/insightplus.v1.CaptureService/Capture`, {
      method: "POST",
      headers: { "content-type": "application/json", ...asWriter },
      body: `{"event":"page_view","distinctId":"u1","properties":{"a":${"[".repeat(50_000)}${"]".repeat(50_000)}}}`,
    });
    expect(res.status).toBe(400);
    const client = createClient(CaptureService, createConnectTransport({ interceptors: [sendingKey()], baseUrl: server.url, httpVersion: "1.1" }));
    expect((await client.capture(ok)).status).toBe("queued");
  });
});
