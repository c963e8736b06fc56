import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { BatchResult, CaptureService } from "../../capture/capture-service.js";
import { requireEvents } from "../../capture/capture-service.js";
import type { CaptureService as CaptureServiceDesc } from "../../gen/insightplus/v1/capture_service_pb.js";
import type { CaptureTargets } from "../access/capture-targets.js";
import { projectOf } from "../access/principal-context.js";
import { httpRequestOf } from "../access/request-context.js";

/** How many stream messages may be queuing at once before reading more (bounds memory). */
const streamWindow = 64;
/** A stream may carry any number of events; its answer lists at most this many ids and rejections. */
export const streamAnswerLimit = 100_000;

/** Thin CaptureService implementation: translates messages, nothing else. */
export function createCaptureRpc(capture: CaptureService, targets: CaptureTargets): ServiceImpl<typeof CaptureServiceDesc> {
  const target = (ctx: HandlerContext) => targets(projectOf(ctx), "native", httpRequestOf(ctx));
  return {
    async capture(req, ctx) {
      return { status: "queued", eventId: await capture.captureOne(req, target(ctx)) };
    },
    async captureEvents(req, ctx) {
      requireEvents(req.events.length);
      const result = await capture.captureMany(req.events, target(ctx), { sentAt: req.sentAt });
      return { status: "queued", ...result };
    },
    async captureBatch(requests, ctx) {
      const into = target(ctx);
      const window: Promise<BatchResult>[] = [];
      const total: BatchResult = { accepted: 0, rejected: [], eventIds: [] };
      let index = 0;
      for await (const req of requests) {
        const pending = capture.captureMany(req.events, into, { sentAt: req.sentAt, indexOffset: index });
        pending.catch(() => undefined); // awaited below, in order; this only silences "unhandled"
        window.push(pending);
        index += req.events.length;
        if (window.length >= streamWindow) addTo(total, await window.shift()!);
      }
      for (const pending of window) addTo(total, await pending);
      return { status: "queued", ...total };
    },
  };
}

function addTo(total: BatchResult, r: BatchResult): void {
  total.accepted += r.accepted;
  for (const x of r.rejected) if (total.rejected.length < streamAnswerLimit) total.rejected.push(x);
  for (const id of r.eventIds) if (total.eventIds.length < streamAnswerLimit) total.eventIds.push(id);
}
