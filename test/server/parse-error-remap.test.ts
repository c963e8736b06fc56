import { createConnectRouter } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { describe, expect, it } from "vitest";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { remapParseErrors } from "../../server/rpc/parse-error-remap.js";

// parse-error-remap.ts recognises connect-es's report of undecodable protobuf by
// its text ("parse binary…"), an internal detail of connect-es. These tests call
// connect-es's own handlers, so an upgrade that changes the text fails here,
// naming what to update, instead of silently turning bad input into INTERNAL.
const garbage = new Uint8Array([0x0a, 0xff, 0xff]); // a length-delimited field running past the end
const handler = (): UniversalHandler => {
  const router = createConnectRouter();
  router.service(AnalyticsService, { getTotalEvents: async () => ({ totalEvents: 0n }) });
  return router.handlers.find((h) => h.requestPath.endsWith("/GetTotalEvents"))!;
};

async function call(h: UniversalHandler, protocol: "connect" | "grpc") {
  const body = protocol === "grpc" ? new Uint8Array([0, 0, 0, 0, garbage.length, ...garbage]) : garbage;
  const res: UniversalServerResponse = await h({
    httpVersion: protocol === "grpc" ? "2.0" : "1.1",
    method: "POST",
    url: `http://localhost${h.requestPath}`,
    header: new Headers(
      protocol === "grpc" ? { "content-type": "application/grpc", te: "trailers" } : { "content-type": "application/proto", "connect-protocol-version": "1" },
    ),
    body: (async function* () {
      yield body;
    })(),
    signal: new AbortController().signal,
  });
  const chunks: Uint8Array[] = [];
  for await (const c of (res.body as AsyncIterable<Uint8Array>) ?? []) chunks.push(c);
  const text = Buffer.concat(chunks).toString();
  return {
    status: res.status,
    json: protocol === "connect" ? JSON.parse(text) : undefined,
    grpcStatus: res.trailer?.get("grpc-status"),
    grpcMessage: decodeURIComponent(res.trailer?.get("grpc-message") ?? ""),
  };
}

describe("connect-es's report of undecodable protobuf (what parse-error-remap.ts matches)", () => {
  it('is INTERNAL with a message starting "parse binary" over Connect (else update isParseError in parse-error-remap.ts)', async () => {
    const res = await call(handler(), "connect");
    expect(res.status).toBe(500);
    expect(res.json.code).toBe("internal");
    expect(res.json.message).toMatch(/^parse binary/);
  });

  it('is grpc-status 13 with a message starting "parse binary" over gRPC (else update isParseError in parse-error-remap.ts)', async () => {
    const res = await call(handler(), "grpc");
    expect(res.grpcStatus).toBe("13");
    expect(res.grpcMessage).toMatch(/^parse binary/);
  });
});

describe("remapParseErrors", () => {
  it("turns it into INVALID_ARGUMENT (HTTP 400) over Connect", async () => {
    const res = await call(remapParseErrors(handler()), "connect");
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid_argument", message: expect.stringMatching(/^request body parse binary/) });
  });

  it("turns it into grpc-status 3 over gRPC", async () => {
    const res = await call(remapParseErrors(handler()), "grpc");
    expect(res.grpcStatus).toBe("3");
    expect(res.grpcMessage).toMatch(/^request body parse binary/);
  });
});
