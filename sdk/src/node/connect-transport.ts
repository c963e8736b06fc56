import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import type { Transport } from "../core/platform.js";
import type { QueueItem } from "../core/queue-item.js";
import { parseRetryAfter, type SendResult } from "../core/send-result.js";
import { type CaptureBatchRequestSchema, CaptureService } from "../gen/insightplus/v1/capture_service_pb.js";
import type { EventSchema } from "../gen/insightplus/v1/event_pb.js";

export interface ConnectTransportOptions {
  host: string;
  /** "grpc" (HTTP/2) or "connect" (Connect protocol over HTTP/1.1). */
  protocol: "grpc" | "connect";
  /** Unary CaptureEvents per batch, or one client-streaming CaptureBatch per batch. */
  mode: "unary" | "stream";
  headers?: Record<string, string>;
  now(): number;
  /** Events per message of a CaptureBatch stream. */
  streamChunk?: number;
}

type EventInit = MessageInitShape<typeof EventSchema>;

/** The Connect/gRPC transports, kept for callers that want them and for the benchmark. */
export function createConnectCaptureTransport(opts: ConnectTransportOptions): Transport {
  const transport = opts.protocol === "grpc" ? createGrpcTransport({ baseUrl: opts.host }) : createConnectTransport({ baseUrl: opts.host, httpVersion: "1.1" });
  const client = createClient(CaptureService, transport);
  const chunk = opts.streamChunk ?? 100;

  async function* messages(events: EventInit[], sentAt: string): AsyncIterable<MessageInitShape<typeof CaptureBatchRequestSchema>> {
    for (let i = 0; i < events.length; i += chunk) yield { events: events.slice(i, i + chunk), sentAt };
  }

  return {
    async send(batch: readonly QueueItem[], sentAt, signal) {
      const events = batch.map((i) => JSON.parse(i.json) as EventInit);
      const call = { signal, headers: opts.headers };
      try {
        const res = opts.mode === "unary" ? await client.captureEvents({ events, sentAt }, call) : await client.captureBatch(messages(events, sentAt), call);
        return { kind: "ok", rejected: res.rejected.map(({ index, reason, field }) => ({ index, reason, field })) };
      } catch (e) {
        return resultOfConnectError(ConnectError.from(e), opts.now());
      }
    },
  };
}

const fatalStatus: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.Unimplemented]: 501,
};

/** The server's status table read backwards: the same decisions as for HTTP statuses. */
export function resultOfConnectError(err: ConnectError, nowMs: number): SendResult {
  const message = `${Code[err.code]}: ${err.rawMessage}`;
  if (err.code === Code.ResourceExhausted) return { kind: "too_large", message };
  const status = fatalStatus[err.code];
  if (status) return { kind: "fatal", message, status };
  return { kind: "retry", message, retryAfterMs: parseRetryAfter(err.metadata.get("retry-after"), nowMs) };
}
