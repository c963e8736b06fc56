import type { FastifyInstance, FastifyRequest } from "fastify";
import type { BatchResult, CaptureService } from "../../capture/capture-service.js";
import { InvalidInputError } from "../../core/errors/domain-errors.js";
import type { Admission } from "../access/admission.js";
import type { CaptureTargets } from "../access/capture-targets.js";
import type { DrainLimits } from "../http/unread-body-drain.js";
import type { CompatBatch } from "./compat-batch.js";

export interface CompatDeps {
  admission: Admission;
  capture: CaptureService;
  targets: CaptureTargets;
  maxRequestBytes: number;
  drainLimits: DrainLimits;
}

/**
 * A compatible endpoint's batch through the one auth step and the one capture
 * function, as the native batch API: the token the body names (else the
 * headers', else keyless capture where allowed), the project's rules,
 * partial success. Nothing at all accepted, because every event was refused,
 * is a 400 naming the first refusal (SDKs treat a 200 as "stored").
 */
export async function captureCompat(deps: CompatDeps, req: FastifyRequest, batch: CompatBatch): Promise<BatchResult> {
  const principal = await deps.admission.admit(req, "capture", batch.token, { addressCounted: true });
  const result = await deps.capture.captureMany(batch.events, deps.targets(principal.projectId, "compatible", req), { sentAt: batch.sentAt });
  if (result.accepted === 0 && result.rejected.length > 0) {
    const [first] = result.rejected;
    const field = batch.events.length === 1 ? first.field : `batch[${first.index}].${first.field}`;
    throw new InvalidInputError(field, first.reason.startsWith(first.field) ? first.reason.slice(first.field.length + 1) : first.reason);
  }
  return result;
}

/**
 * The compatible routes read their bodies raw, whatever the content type
 * (posthog-js sends gzip as text/plain), and count the client's address
 * before a body is decoded: the key is in the body, and a refused or limited
 * client must not cost a decompression.
 */
export function rawBodies(scope: FastifyInstance, maxBytes: number, admission: Admission): void {
  scope.addHook("preParsing", async (req) => {
    await admission.countAddress(req);
  });
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: maxBytes }, (_req, body, done) => done(null, body));
}
