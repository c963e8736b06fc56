import { once } from "node:events";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ServerProcess, spawnServerProcess } from "../support/server/entry-process.js";
import { asWriter } from "../support/test-keys.js";

// A body over the limit is refused before it is read. Node's fetch (undici)
// is still sending then: if the server closed at once, it would fail with
// EPIPE and never see the 413 (our SDK halves its batch on a 413).
const limit = 4096;
let server: ServerProcess;

// A server of its own process, as clients meet it: in this one, client and server would share an event loop.
beforeAll(async () => {
  server = await spawnServerProcess({
    REDIS_URL: inject("redisUrl"),
    REDIS_QUEUE: `test:early:${Date.now()}`,
    MAX_REQUEST_BYTES: String(limit),
    LOG_LEVEL: "warn",
  });
});
afterAll(async () => {
  server.child.kill("SIGTERM");
  await server.exited;
});

const post = (path: string, body: RequestInit["body"], headers: Record<string, string>, extra: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { method: "POST", headers: { ...asWriter, ...headers }, body, ...extra });

describe("an answer sent before the body was read", () => {
  it.each([
    ["REST, a sized body", "/api/v1/capture", { "content-type": "application/json" }, false],
    ["REST, a chunked body", "/api/v1/batch", { "content-type": "application/json" }, true],
    ["Connect unary JSON", "/insightplus.v1.CaptureService/Capture", { "content-type": "application/json", "connect-protocol-version": "1" }, false],
    ["Connect unary protobuf", "/insightplus.v1.CaptureService/Capture", { "content-type": "application/proto", "connect-protocol-version": "1" }, false],
  ])("reaches Node's fetch: %s", async (_name, path, headers, chunked) => {
    for (const size of [1 << 20, 6 << 20]) {
      // within the drain bound (8 MB here); past it the connection is cut, see below
      for (let i = 0; i < 2; i++) {
        const big = Buffer.alloc(size, 0x61);
        const res = await post(path, chunked ? new Blob([big]).stream() : big, headers, chunked ? ({ duplex: "half" } as RequestInit) : {});
        expect([413, 429]).toContain(res.status); // Connect's own protocol spells resource_exhausted as 429
        expect(((await res.json()) as any).code).toBe("resource_exhausted");
      }
    }
  });

  it("keeps the connection for the next request once the rest is dropped", async () => {
    const refused = await post("/api/v1/capture", Buffer.alloc(64 * 1024, 0x61), { "content-type": "application/json" });
    expect(refused.status).toBe(413);
    const ok = await post("/api/v1/capture", JSON.stringify({ event: "page_view", distinctId: "after-413" }), { "content-type": "application/json" });
    expect(ok.status).toBe(200);
  });

  it("cuts a client that keeps sending past the drain bound instead of reading forever", async () => {
    // A raw socket: HTTP clients stop writing, or stop reporting, once they have their answer.
    const socket = net.connect(Number(new URL(server.url).port), "127.0.0.1");
    await once(socket, "connect");
    let answer = "";
    socket.on("data", (d: Buffer) => (answer += d.toString("latin1")));
    socket.on("error", () => undefined); // the cut
    socket.write("POST /api/v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    const chunk = Buffer.concat([Buffer.from(`${(1 << 20).toString(16)}\r\n`), Buffer.alloc(1 << 20, 0x61), Buffer.from("\r\n")]);
    let sent = 0;
    const closed = new Promise((resolve) => socket.once("close", resolve)); // not events.once: it rejects on the reset
    const pump = () => {
      while (!socket.destroyed && sent < 1 << 30) {
        sent += 1 << 20;
        if (!socket.write(chunk)) return void socket.once("drain", pump);
      }
    };
    pump();
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /); // the answer came first
    expect(sent).toBeLessThan(128 << 20); // then the connection was cut, long before a gigabyte (the bound is 8 MB, plus what the sockets buffer)
  });
});
