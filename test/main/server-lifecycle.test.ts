import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, inject, it } from "vitest";
import { CaptureBatchRequestSchema, CaptureService } from "../../gen/insightplus/v1/capture_service_pb.js";
import { spawnServerProcess } from "../support/server/entry-process.js";
import { createStreamReader } from "../support/stream-reader.js";
import { sendingKey } from "../support/test-keys.js";

describe("graceful shutdown", () => {
  it("on SIGTERM finishes the stream in flight, refuses new connections, and exits 0", async () => {
    const stream = `test:${randomUUID()}`;
    const server = await spawnServerProcess({ REDIS_URL: inject("redisUrl"), REDIS_QUEUE: stream });
    const client = createClient(CaptureService, createGrpcTransport({ interceptors: [sendingKey()], baseUrl: server.url }));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* requests() {
      yield create(CaptureBatchRequestSchema, { events: [{ event: "page_view", distinctId: "before-sigterm" }] });
      await gate; // the server is told to stop while this stream is still open
      yield create(CaptureBatchRequestSchema, { events: [{ event: "page_view", distinctId: "after-sigterm" }] });
    }
    const call = client.captureBatch(requests());
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    expect(server.child.exitCode).toBeNull(); // still finishing the stream
    const refused = await fetch(`${server.url}/healthz`).then(
      () => "answered",
      () => "refused",
    );
    expect(refused).toBe("refused");
    release();
    const res = await call;
    expect(res.accepted).toBe(2);
    expect(await server.exited).toBe(0);
    const streams = await createStreamReader(stream);
    try {
      expect(await streams.length()).toBe(2);
    } finally {
      await streams.close();
    }
    expect(server.output()).toContain("shutting down");
  });
});

describe("invalid configuration stops start-up with a message naming the variable", () => {
  it.concurrent.each([
    ["DATABASE_TYPE", "mysql"],
    ["PORT", "seventy"],
    ["PORT", "70000"],
    ["REDIS_URL", "http://localhost:6379"],
    ["BACKLOG_WATERMARK", "-5"],
    ["LOG_LEVEL", "loud"],
  ])(
    "%s=%s",
    async (name, value) => {
      const server = await spawnServerProcess({ [name]: value }, { waitReady: false });
      expect(await server.exited).toBe(2);
      expect(server.output()).toContain(`invalid configuration: ${name}`);
      expect(server.output()).not.toMatch(/\n\s+at /); // no stack trace
    },
    120_000,
  );
});
