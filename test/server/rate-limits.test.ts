import { randomUUID } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { CaptureService } from "../../gen/insightplus/v1/capture_service_pb.js";
import { postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { sendingKey } from "../support/test-keys.js";

const servers: InProcessServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(env: Record<string, string>, streamKey?: string) {
  const s = await startInProcessServer({ env, streamKey });
  servers.push(s);
  return s;
}
const event = { event: "page_view", distinctId: "limited" };
const capture = (s: InProcessServer, headers: Record<string, string> = {}) => postJson(`${s.url}/api/v1/capture`, event, headers);

describe("rate limits", () => {
  it("answer 429 with Retry-After past the per-address limit (RESOURCE_EXHAUSTED over gRPC), store nothing refused, and let the client back in after it", async () => {
    const s = await server({ RATE_LIMIT_PER_ADDRESS: "4", RATE_LIMIT_WINDOW_SECONDS: "2" });
    for (let i = 0; i < 4; i++) expect((await capture(s)).status).toBe(200);
    const refused = await capture(s);
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ code: "resource_exhausted", message: expect.stringContaining("too many requests from this address") });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    const grpc = createClient(CaptureService, createGrpcTransport({ baseUrl: s.url, interceptors: [sendingKey()] }));
    const err = await grpc.capture(event).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.ResourceExhausted);
    expect((err as ConnectError).metadata.get("retry-after")).toBeTruthy();
    expect(await s.streams.length()).toBe(4);
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    expect((await capture(s)).status).toBe(200);
  });

  it("count per key: one key over its limit does not stop another", async () => {
    const s = await server({ RATE_LIMIT_PER_KEY: "3", ALLOW_KEYLESS_CAPTURE: "true" });
    for (let i = 0; i < 3; i++) expect((await capture(s)).status).toBe(200);
    expect((await capture(s)).status).toBe(429);
    expect((await capture(s)).json.message).toContain("with this key");
    expect((await capture(s, { authorization: "" })).status).toBe(200); // keyless capture counts on its own
  });

  it("hold across servers sharing Redis", async () => {
    const stream = `test:${randomUUID()}`;
    const env = { RATE_LIMIT_PER_ADDRESS: "5", RATE_LIMIT_WINDOW_SECONDS: "30" };
    const a = await server(env, stream);
    const b = await server(env, stream);
    for (let i = 0; i < 3; i++) expect((await capture(a)).status).toBe(200);
    expect((await capture(b)).status).toBe(200);
    expect((await capture(b)).status).toBe(200);
    expect((await capture(b)).status).toBe(429);
    expect((await capture(a)).status).toBe(429);
  });

  it("believe X-Forwarded-For only behind a trusted proxy", async () => {
    const limits = { RATE_LIMIT_PER_ADDRESS: "2", RATE_LIMIT_WINDOW_SECONDS: "30" };
    const trusting = await server({ ...limits, TRUST_PROXY: "127.0.0.1" });
    const from = (ip: string) => capture(trusting, { "x-forwarded-for": ip }).then((r) => r.status);
    expect([await from("203.0.113.1"), await from("203.0.113.1"), await from("203.0.113.1")]).toEqual([200, 200, 429]);
    expect(await from("203.0.113.2")).toBe(200); // another client behind the proxy
    const direct = await server(limits);
    const spoofed = (ip: string) => capture(direct, { "x-forwarded-for": ip }).then((r) => r.status);
    expect([await spoofed("198.51.100.1"), await spoofed("198.51.100.2"), await spoofed("198.51.100.3")]).toEqual([200, 200, 429]);
  });
});
