import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import {
  CaptureBatchRequestSchema,
  CaptureEventsRequestSchema,
  CaptureService,
} from "../gen/insightplus/v1/capture_service_pb.js";
import { EventSchema } from "../gen/insightplus/v1/event_pb.js";
import { sampleEvent } from "./bench-config.js";
import type { LoadResult } from "./measure.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function grpcClient(baseUrl: string) {
  const sessionManager = new Http2SessionManager(baseUrl);
  const client = createClient(CaptureService, createGrpcTransport({ baseUrl, sessionManager }));
  return { client, close: () => sessionManager.abort() };
}

function events(n: number) {
  const e = create(EventSchema, sampleEvent);
  return Array.from({ length: n }, () => e);
}

/** Runs `workers` copies of `work` until the deadline; sums what they accepted. */
async function drive(
  seconds: number,
  workers: number,
  work: (until: number, worker: number) => Promise<{ accepted: number; rejected: number }>,
): Promise<LoadResult> {
  const start = performance.now();
  const until = start + seconds * 1000;
  let units = 0;
  let errors = 0;
  let rejected = 0;
  let firstError: string | undefined;
  const worker = async (w: number) => {
    while (performance.now() < until && errors < 1000) {
      try {
        const r = await work(until, w);
        units += r.accepted;
        rejected += r.rejected;
      } catch (e) {
        errors++;
        firstError ??= String(e);
        await sleep(20);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return { units, seconds: (performance.now() - start) / 1000, errors: errors + rejected, firstError };
}

/** `callers` concurrent callers of the unary batch RPC (CaptureEvents) over gRPC, one HTTP/2 connection. */
export async function unaryBatchLoad(baseUrl: string, o: { callers: number; batchSize: number; seconds: number }): Promise<LoadResult> {
  const { client, close } = grpcClient(baseUrl);
  const req = create(CaptureEventsRequestSchema, { events: events(o.batchSize) });
  try {
    return await drive(o.seconds, o.callers, async () => {
      const r = await client.captureEvents(req, { timeoutMs: 30_000 });
      return { accepted: r.accepted, rejected: r.rejected.length };
    });
  } finally {
    close();
  }
}

/**
 * `streams` concurrent client streams (CaptureBatch), each on its own HTTP/2
 * connection, each sending `messagesPerStream` messages of `eventsPerMessage`
 * events (or fewer at the deadline) before it ends and the next one starts.
 */
export async function clientStreamLoad(
  baseUrl: string,
  o: { streams: number; eventsPerMessage: number; messagesPerStream: number; seconds: number },
): Promise<LoadResult> {
  const msg = create(CaptureBatchRequestSchema, { events: events(o.eventsPerMessage) });
  const clients = Array.from({ length: o.streams }, () => grpcClient(baseUrl));
  async function* body(until: number) {
    for (let i = 0; i < o.messagesPerStream && performance.now() < until; i++) yield msg;
  }
  try {
    return await drive(o.seconds, o.streams, async (until, w) => {
      const { client } = clients[w];
      const r = await client.captureBatch(body(until), { timeoutMs: (o.seconds + 30) * 1000 });
      return { accepted: r.accepted, rejected: r.rejected.length };
    });
  } finally {
    for (const c of clients) c.close();
  }
}
