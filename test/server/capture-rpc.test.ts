import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaptureBatchRequestSchema, CaptureService } from "../../gen/insightplus/v1/capture_service_pb.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { sendingKey } from "../support/test-keys.js";

let server: InProcessServer;
beforeAll(async () => {
  server = await startInProcessServer();
});
afterAll(() => server.close());

const transports: Record<string, () => Transport> = {
  "Connect JSON over HTTP/1.1": () => createConnectTransport({ interceptors: [sendingKey()], baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: false }),
  "Connect binary over HTTP/2": () => createConnectTransport({ interceptors: [sendingKey()], baseUrl: server.url, httpVersion: "2", useBinaryFormat: true }),
  "gRPC over h2c": () => createGrpcTransport({ interceptors: [sendingKey()], baseUrl: server.url }),
  "gRPC-Web binary over HTTP/1.1": () =>
    createGrpcWebTransport({ interceptors: [sendingKey()], baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: true }),
};

describe.each(Object.entries(transports))("%s", (name, makeTransport) => {
  it("captures one event and the stream holds it, decoded", async () => {
    const client = createClient(CaptureService, makeTransport());
    const distinctId = `rpc-${name}`;
    const res = await client.capture({ event: "payment_success", distinctId, properties: { amount: 499, currency: "INR", nested: { ok: true } } });
    expect(res.status).toBe("queued");
    const e = (await server.streamEvents()).find((x) => x.uuid === res.eventId);
    expect(e).toBeDefined();
    expect([e!.event, e!.distinctId, JSON.parse(e!.propertiesJson)]).toEqual([
      "payment_success",
      distinctId,
      { amount: 499, currency: "INR", nested: { ok: true } },
    ]);
  });

  it("refuses an unknown event name with INVALID_ARGUMENT naming the field", async () => {
    const client = createClient(CaptureService, makeTransport());
    const err = await client.capture({ event: "button_clicked", distinctId: "u" }).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).rawMessage).toMatch(/^event "button_clicked" is not an allowed event name/);
  });

  it("answers a unary batch with partial success", async () => {
    const client = createClient(CaptureService, makeTransport());
    const res = await client.captureEvents({
      events: [
        { event: "page_view", distinctId: "ok-1" },
        { event: "most_used_feature", distinctId: "bad", properties: { feature: 3 } },
      ],
    });
    expect(res.accepted).toBe(1);
    expect(res.rejected).toHaveLength(1);
    expect(res.rejected[0]).toMatchObject({ index: 1, field: "properties.feature" });
    const stored = await server.streamEvents();
    expect(stored.some((e) => e.uuid === res.eventIds[0] && e.distinctId === "ok-1")).toBe(true);
  });
});

describe("client streaming (gRPC)", () => {
  it("captures every event of a stream once and numbers rejections across messages", async () => {
    const client = createClient(CaptureService, createGrpcTransport({ interceptors: [sendingKey()], baseUrl: server.url }));
    const messages = Array.from({ length: 50 }, (_, m) =>
      create(CaptureBatchRequestSchema, {
        events: Array.from({ length: 20 }, (_, i) => ({
          event: m === 7 && i === 3 ? "not_allowed" : "page_view",
          distinctId: `stream-${m}-${i}`,
        })),
      }),
    );
    async function* requests() {
      yield* messages;
    }
    const res = await client.captureBatch(requests());
    expect(res.accepted).toBe(999);
    expect(res.rejected).toEqual([expect.objectContaining({ index: 7 * 20 + 3, field: "event" })]);
    const stored = new Set((await server.streamEvents()).filter((e) => e.distinctId.startsWith("stream-")).map((e) => e.uuid));
    expect(stored.size).toBe(999);
    expect(res.eventIds.every((id) => stored.has(id))).toBe(true);
  });
});
