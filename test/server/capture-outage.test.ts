import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaptureService } from "../../gen/insightplus/v1/capture_service_pb.js";
import { postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { type LocalRedis, startLocalRedis } from "../support/services/index.js";
import { sendingKey } from "../support/test-keys.js";

const event = { event: "page_view", distinctId: "outage" };

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("Redis stopped mid-run", () => {
  let redis: LocalRedis;
  let server: InProcessServer;
  beforeAll(async () => {
    redis = await startLocalRedis({ appendonly: true });
    server = await startInProcessServer({ env: { REDIS_URL: redis.url, RETRY_AFTER_SECONDS: "3" } });
  });
  afterAll(async () => {
    await server?.close();
    await redis?.stop();
  });

  it("answers 503 with Retry-After and gRPC UNAVAILABLE while Redis is down, then recovers by itself", async () => {
    const first = await postJson(`${server.url}/api/v1/capture`, event);
    expect(first.status).toBe(200);

    await redis.kill();
    const down = await until("a 503", async () => {
      const res = await postJson(`${server.url}/api/v1/capture`, event);
      return res.status === 503 ? res : undefined;
    });
    expect(down.headers.get("retry-after")).toBe("3");
    expect(down.json.code).toBe("unavailable");
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const grpc = createClient(CaptureService, createGrpcTransport({ interceptors: [sendingKey()], baseUrl: server.url }));
    const started = Date.now();
    const err = ConnectError.from(await grpc.capture(event).catch((e: unknown) => e));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.metadata.get("retry-after")).toBe("3");
    expect(Date.now() - started).toBeLessThan(5_000); // refused at once, not left hanging

    await redis.restart();
    const back = await until("recovery", async () => {
      const res = await postJson(`${server.url}/api/v1/capture`, event);
      return res.status === 200 ? res : undefined;
    });
    // The event acknowledged before the crash survived (AOF), and the new one landed after it.
    const ids = (await server.streamEvents()).map((e) => e.uuid);
    expect(ids).toEqual([first.json.eventId, back.json.eventId]);
  });
});

describe("backlog above the watermark", () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcessServer({ env: { BACKLOG_WATERMARK: "5" } });
  });
  afterAll(() => server.close());

  it("refuses new events with 503 instead of trimming unread ones, and accepts again once drained", async () => {
    for (let i = 0; i < 5; i++) expect((await postJson(`${server.url}/api/v1/capture`, event)).status).toBe(200);
    const refused = await until("a 503", async () => {
      const res = await postJson(`${server.url}/api/v1/capture`, event);
      return res.status === 503 ? res : undefined;
    });
    expect(refused.headers.get("retry-after")).toBeTruthy();
    expect(refused.json.message).toContain("watermark");
    const batch = await postJson(`${server.url}/api/v1/batch`, { events: [event, event] });
    expect(batch.status).toBe(503);
    expect(await server.streams.length()).toBe(5); // nothing unread was deleted

    // What a worker does once every group acked.
    for (const s of server.streams.layout.sources) await server.redis.xtrim(s.streamKey, "MAXLEN", 0);
    await until("acceptance", async () => ((await postJson(`${server.url}/api/v1/capture`, event)).status === 200 ? true : undefined));
  });
});
