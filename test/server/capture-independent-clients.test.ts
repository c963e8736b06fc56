import { execFile } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpcJsKey } from "../support/grpc-js-key.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { testKeys } from "../support/test-keys.js";

// Clients that share no code with the server: @grpc/grpc-js loading the .proto
// files at run time, and `buf curl` (Go) reading the schema from the repository.
let server: InProcessServer;
let client: any;

beforeAll(async () => {
  server = await startInProcessServer();
  const def = protoLoader.loadSync("insightplus/v1/capture_service.proto", {
    includeDirs: ["proto", "third_party"],
    keepCase: false,
    longs: String,
    defaults: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as any;
  client = new pkg.insightplus.v1.CaptureService(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure(), { interceptors: [grpcJsKey()] });
});
afterAll(async () => {
  client?.close();
  await server.close();
});

describe("@grpc/grpc-js", () => {
  it("captures one event (unary)", async () => {
    const res: any = await new Promise((resolve, reject) =>
      client.capture(
        { event: "user_registered", distinctId: "grpcjs-1", properties: { fields: { plan: { stringValue: "free" } } } },
        (err: Error | null, r: unknown) => (err ? reject(err) : resolve(r)),
      ),
    );
    expect(res.status).toBe("queued");
    const e = (await server.streamEvents()).find((x) => x.uuid === res.eventId)!;
    expect([e.event, e.distinctId, JSON.parse(e.propertiesJson)]).toEqual(["user_registered", "grpcjs-1", { plan: "free" }]);
  });

  it("gets INVALID_ARGUMENT for a missing distinctId", async () => {
    const err: any = await new Promise((resolve) => client.capture({ event: "page_view" }, (e: unknown) => resolve(e)));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toBe("distinctId is required");
  });

  it("streams events with CaptureBatch (client streaming)", async () => {
    const res: any = await new Promise((resolve, reject) => {
      const call = client.captureBatch((err: Error | null, r: unknown) => (err ? reject(err) : resolve(r)));
      for (let i = 0; i < 100; i++) call.write({ events: [{ event: "page_view", distinctId: `grpcjs-stream-${i}` }] });
      call.end();
    });
    expect(res.accepted).toBe(100);
    // Each user's events keep their order in their partition; across users the answer's order is the sending order.
    const stored = new Map((await server.streamEvents()).map((e) => [e.uuid, e.distinctId]));
    expect(res.eventIds.map((id: string) => stored.get(id))).toEqual(Array.from({ length: 100 }, (_, i) => `grpcjs-stream-${i}`));
  });
});

describe("buf curl", () => {
  const buf = (args: string[], input?: string) =>
    new Promise<{ stdout: string; code: number }>((resolve) => {
      const child = execFile("npx", ["buf", "curl", "--schema", ".", "-H", `authorization: Bearer ${testKeys.write}`, ...args], (err, stdout) =>
        resolve({ stdout, code: err ? ((err as { code?: number }).code ?? 1) : 0 }),
      );
      if (input !== undefined) child.stdin!.end(input);
    });

  it("captures over gRPC (h2c)", async () => {
    const { stdout, code } = await buf([
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "-d",
      '{"event":"page_view","distinctId":"bufcurl"}',
      `${server.url}/insightplus.v1.CaptureService/Capture`,
    ]);
    expect(code).toBe(0);
    const id = JSON.parse(stdout).eventId;
    expect((await server.streamEvents()).some((e) => e.uuid === id && e.distinctId === "bufcurl")).toBe(true);
  });

  it("streams over gRPC with CaptureBatch", async () => {
    const input = [1, 2, 3].map((i) => JSON.stringify({ events: [{ event: "page_view", distinctId: `bufcurl-s${i}` }] })).join("\n");
    const { stdout, code } = await buf(
      ["--protocol", "grpc", "--http2-prior-knowledge", "-d", "@-", `${server.url}/insightplus.v1.CaptureService/CaptureBatch`],
      input,
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).accepted).toBe(3);
  });

  it("gets invalid_argument over Connect", async () => {
    const { code } = await buf(["--protocol", "connect", "-d", '{"event":"nope","distinctId":"x"}', `${server.url}/insightplus.v1.CaptureService/Capture`]);
    expect(code).not.toBe(0);
  });
});
