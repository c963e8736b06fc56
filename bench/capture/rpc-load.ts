import { once } from "node:events";
import http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  CaptureBatchRequestSchema,
  CaptureBatchResponseSchema,
  CaptureEventsRequestSchema,
  CaptureEventsResponseSchema,
} from "../../gen/insightplus/v1/capture_service_pb.js";
import { EventSchema } from "../../gen/insightplus/v1/event_pb.js";
import { benchKeyHeaders } from "../shared/bench-keys.js";
import type { LoadResult } from "../shared/measure.js";
import { sampleEvent } from "./bench-config.js";

// The gRPC load is raw HTTP/2 sending request bytes encoded once, as ghz or
// h2load would: a client that re-encoded 200 Structs per call spent as much
// CPU as the server on this 2-core machine, and the XADD ceiling it is
// compared with also sends pre-built bytes.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const service = "/insightplus.v1.CaptureService";

function events(n: number) {
  const e = create(EventSchema, sampleEvent);
  return Array.from({ length: n }, () => e);
}

/** One gRPC length-prefixed message (uncompressed). */
function envelope(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + bytes.length);
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  return out;
}

/** Sends `body` chunks as one gRPC call; resolves with the response message bytes. */
async function grpcCall(session: http2.ClientHttp2Session, path: string, body: AsyncIterable<Buffer> | Buffer, timeoutMs: number): Promise<Uint8Array> {
  const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...benchKeyHeaders });
  req.setTimeout(timeoutMs, () => req.close(http2.constants.NGHTTP2_CANCEL));
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  const status = new Promise<string>((resolve, reject) => {
    req.on("trailers", (t) => resolve(`${t["grpc-status"]} ${t["grpc-message"] ?? ""}`));
    req.on("response", (h) => h["grpc-status"] !== undefined && resolve(`${h["grpc-status"]} ${h["grpc-message"] ?? ""}`));
    req.on("error", reject);
    req.on("close", () => resolve("closed without a status"));
  });
  if (Buffer.isBuffer(body)) req.end(body);
  else {
    for await (const chunk of body) if (!req.write(chunk)) await once(req, "drain");
    req.end();
  }
  const s = await status;
  if (!s.startsWith("0 ")) throw new Error(`grpc-status ${s}`);
  const all = Buffer.concat(chunks);
  return all.subarray(5, 5 + all.readUInt32BE(1));
}

function connect(baseUrl: string): http2.ClientHttp2Session {
  const session = http2.connect(baseUrl);
  session.on("error", () => undefined);
  return session;
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
  const session = connect(baseUrl);
  const body = envelope(toBinary(CaptureEventsRequestSchema, create(CaptureEventsRequestSchema, { events: events(o.batchSize) })));
  try {
    return await drive(o.seconds, o.callers, async () => {
      const r = fromBinary(CaptureEventsResponseSchema, await grpcCall(session, `${service}/CaptureEvents`, body, 30_000));
      return { accepted: r.accepted, rejected: r.rejected.length };
    });
  } finally {
    session.close();
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
  const msg = envelope(toBinary(CaptureBatchRequestSchema, create(CaptureBatchRequestSchema, { events: events(o.eventsPerMessage) })));
  const sessions = Array.from({ length: o.streams }, () => connect(baseUrl));
  async function* body(until: number) {
    for (let i = 0; i < o.messagesPerStream && performance.now() < until; i++) yield msg;
  }
  try {
    return await drive(o.seconds, o.streams, async (until, w) => {
      const bytes = await grpcCall(sessions[w], `${service}/CaptureBatch`, body(until), (o.seconds + 30) * 1000);
      const r = fromBinary(CaptureBatchResponseSchema, bytes);
      return { accepted: r.accepted, rejected: r.rejected.length };
    });
  } finally {
    for (const s of sessions) s.close();
  }
}
