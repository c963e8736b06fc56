import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { compressionGzip, createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaptureBatchRequestSchema, CaptureService } from "../../gen/insightplus/v1/capture_service_pb.js";
import { grpcJsKey } from "../support/grpc-js-key.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asReader, asWriter, sendingKey } from "../support/test-keys.js";

// Compressed requests on every protocol, as their clients send them when told to:
// grpc-js with a default compression algorithm, connect-es with sendCompression,
// and REST bodies with Content-Encoding. Answers are compressed when asked.
let server: InProcessServer;
const limit = 64 * 1024;

beforeAll(async () => {
  server = await startInProcessServer({ env: { MAX_REQUEST_BYTES: String(limit) } });
});
afterAll(async () => {
  await server.close();
});

/** The queued events of these ids, in the ids' order (across partitions the streams' order is not the sending order). */
const queued = async (ids: readonly string[]) => {
  const byUuid = new Map((await server.streamEvents()).map((e) => [e.uuid, e]));
  return ids.flatMap((id) => byUuid.get(id) ?? []);
};

describe("@grpc/grpc-js with gzip compression", () => {
  let client: any;
  beforeAll(() => {
    const def = protoLoader.loadSync("insightplus/v1/capture_service.proto", { includeDirs: ["proto", "third_party"], defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as any;
    client = new pkg.insightplus.v1.CaptureService(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure(), {
      "grpc.default_compression_algorithm": grpc.compressionAlgorithms.gzip,
      "grpc.default_compression_level": 2,
      interceptors: [grpcJsKey()],
    });
  });
  afterAll(() => client?.close());

  it("captures one event (unary)", async () => {
    const properties = { fields: { note: { stringValue: "x".repeat(2000) } } }; // big enough that compression pays
    const res: any = await new Promise((resolve, reject) =>
      client.capture({ event: "page_view", distinctId: "gz-unary", properties }, (err: Error | null, r: unknown) => (err ? reject(err) : resolve(r))),
    );
    const [e] = await queued([res.eventId]);
    expect([e.distinctId, JSON.parse(e.propertiesJson).note.length]).toEqual(["gz-unary", 2000]);
  });

  it("streams events with CaptureBatch (client streaming)", async () => {
    const res: any = await new Promise((resolve, reject) => {
      const call = client.captureBatch((err: Error | null, r: unknown) => (err ? reject(err) : resolve(r)));
      for (let i = 0; i < 50; i++) call.write({ events: [{ event: "page_view", distinctId: `gz-stream-${i}` }] });
      call.end();
    });
    expect(res.accepted).toBe(50);
    expect((await queued(res.eventIds)).map((e) => e.distinctId)).toEqual(Array.from({ length: 50 }, (_, i) => `gz-stream-${i}`));
  });
});

describe.each([
  ["gRPC", (baseUrl: string) => createGrpcTransport({ interceptors: [sendingKey()], baseUrl, sendCompression: compressionGzip, compressMinBytes: 1 })],
  [
    "Connect (protobuf)",
    (baseUrl: string) =>
      createConnectTransport({ interceptors: [sendingKey()], baseUrl, httpVersion: "2", sendCompression: compressionGzip, compressMinBytes: 1 }),
  ],
  [
    "Connect (JSON)",
    (baseUrl: string) =>
      createConnectTransport({
        interceptors: [sendingKey()],
        baseUrl,
        httpVersion: "1.1",
        useBinaryFormat: false,
        sendCompression: compressionGzip,
        compressMinBytes: 1,
      }),
  ],
])("connect-es over %s with gzip", (_name, transport) => {
  it("captures one event (unary)", async () => {
    const client = createClient(CaptureService, transport(server.url));
    const res = await client.capture({ event: "page_view", distinctId: "ce-unary", properties: { path: "/gz" } });
    const [e] = await queued([res.eventId]);
    expect([e.distinctId, JSON.parse(e.propertiesJson)]).toEqual(["ce-unary", { path: "/gz" }]);
  });

  it("refuses a body that decompresses past the request limit (RESOURCE_EXHAUSTED), queueing nothing", async () => {
    const client = createClient(CaptureService, transport(server.url));
    const before = (await server.streamEvents()).length;
    const err = await client
      .captureEvents({ events: [{ event: "page_view", distinctId: "bomb", properties: { pad: "a".repeat(limit * 2) } }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.code).toBe(Code.ResourceExhausted);
    expect((await server.streamEvents()).length).toBe(before);
  });
});

describe("connect-es client streaming over gRPC with gzip", () => {
  it("streams events with CaptureBatch", async () => {
    const client = createClient(
      CaptureService,
      createGrpcTransport({ interceptors: [sendingKey()], baseUrl: server.url, sendCompression: compressionGzip, compressMinBytes: 1 }),
    );
    async function* requests() {
      for (let i = 0; i < 20; i++) yield create(CaptureBatchRequestSchema, { events: [{ event: "page_view", distinctId: `ce-stream-${i}` }] });
    }
    const res = await client.captureBatch(requests());
    expect(res.accepted).toBe(20);
    expect((await queued(res.eventIds)).length).toBe(20);
  });
});

describe("REST with Content-Encoding", () => {
  const body = (distinctId: string) => Buffer.from(JSON.stringify({ event: "page_view", distinctId, properties: { via: "rest" } }));
  const post = (payload: Buffer, headers: Record<string, string>) =>
    fetch(`${server.url}/api/v1/capture`, { method: "POST", headers: { "content-type": "application/json", ...asWriter, ...headers }, body: payload });

  it.each([
    ["gzip", gzipSync],
    ["br", brotliCompressSync],
    ["deflate", deflateSync],
  ])("takes a %s body", async (encoding, compress) => {
    const res = await post(compress(body(`rest-${encoding}`)), { "content-encoding": encoding });
    expect(res.status).toBe(200);
    const [e] = await queued([((await res.json()) as any).eventId]);
    expect(e.distinctId).toBe(`rest-${encoding}`);
  });

  it("refuses an unknown encoding naming content-encoding, and a corrupt body naming the body", async () => {
    const unknown = await post(body("x"), { "content-encoding": "zstd" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: "invalid_argument", field: "content-encoding" });
    const corrupt = await post(Buffer.from("not gzip at all"), { "content-encoding": "gzip" });
    expect(corrupt.status).toBe(400);
    expect(await corrupt.json()).toMatchObject({ code: "invalid_argument", field: "body" });
    // Good gzip around bad JSON: refused by the JSON check after decompressing, and the server stays up.
    const badJson = await post(gzipSync(Buffer.from("{not json")), { "content-encoding": "gzip" });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ code: "invalid_argument", field: "body", message: expect.stringContaining("JSON") });
    expect((await post(body("after-bad-json"), {})).status).toBe(200);
  });

  it("answers 413 for a small body that decompresses past the request limit", async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify({ event: "page_view", distinctId: "bomb", properties: { pad: "a".repeat(limit * 4) } })));
    expect(bomb.length).toBeLessThan(limit / 10);
    const res = await post(bomb, { "content-encoding": "gzip" });
    expect(res.status).toBe(413);
  });

  it("compresses a large analytics answer when the client accepts gzip, and sends capture answers as they are", async () => {
    const dau = await fetch(`${server.url}/api/v1/analytics/dau?days=90`, { headers: { "accept-encoding": "gzip", ...asReader } });
    expect(dau.headers.get("content-encoding")).toBe("gzip"); // fetch decompresses it for us
    expect(((await dau.json()) as any).days).toHaveLength(90);
    // A capture answer is ids and counts: compressing it costs the server more than it saves the client.
    const events = Array.from({ length: 100 }, (_, i) => ({ event: "page_view", distinctId: `many-${i}` }));
    const batch = await fetch(`${server.url}/api/v1/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", "accept-encoding": "gzip", ...asWriter },
      body: JSON.stringify({ events }),
    });
    expect(batch.headers.get("content-encoding")).toBeNull();
    expect(((await batch.json()) as any).accepted).toBe(100);
  });
});

describe("Connect unary JSON by hand", () => {
  it("takes Content-Encoding: gzip, as connect-web sends it", async () => {
    const res = await fetch(`${server.url}/insightplus.v1.CaptureService/Capture`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", "connect-protocol-version": "1", "accept-encoding": "identity", ...asWriter },
      body: gzipSync(Buffer.from(JSON.stringify({ event: "page_view", distinctId: "hand-gz" }))),
    });
    expect(res.status).toBe(200);
    const { eventId } = (await res.json()) as any;
    expect((await queued([eventId]))[0].distinctId).toBe("hand-gz");
  });
});
