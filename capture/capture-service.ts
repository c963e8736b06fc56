import { InvalidInputError, isDomainError } from "../core/errors/domain-errors.js";
import type { EventInput, ValidatedEvent } from "../core/events/event-model.js";
import type { EventPublisher } from "../queue/event-queue.js";
import type { EventValidator } from "./event-validator.js";

export interface Rejection {
  index: number;
  reason: string;
  field: string;
}

export interface BatchResult {
  accepted: number;
  rejected: Rejection[];
  eventIds: string[];
}

/** The one capture function every transport (gRPC, Connect, REST) calls. */
export interface CaptureService {
  /** Validates and queues one event of `projectId`; throws a DomainError when refused. */
  captureOne(input: EventInput, projectId: string): Promise<string>;
  /**
   * Validates each event and queues the valid ones (partial success). Throws only
   * when nothing could be queued for a reason that is not the events' own
   * (queue unavailable). `indexOffset` numbers rejections across a stream.
   */
  captureMany(inputs: readonly EventInput[], projectId: string, opts?: { sentAt?: string; indexOffset?: number }): Promise<BatchResult>;
}

export interface CaptureServiceDeps {
  validator: EventValidator;
  publisher: EventPublisher;
  now?: () => number;
}

export function createCaptureService(deps: CaptureServiceDeps): CaptureService {
  const now = deps.now ?? Date.now;
  return {
    async captureOne(input, projectId) {
      const accepted = deps.validator.validate(input, projectId, now());
      await deps.publisher.publish([accepted]);
      return accepted.uuid;
    },
    async captureMany(inputs, projectId, opts = {}) {
      const receivedAt = now();
      const offset = opts.indexOffset ?? 0;
      const good: ValidatedEvent[] = [];
      const rejected: Rejection[] = [];
      inputs.forEach((input, i) => {
        try {
          good.push(deps.validator.validate(input, projectId, receivedAt, opts.sentAt));
        } catch (e) {
          if (!isDomainError(e) || !("field" in e)) throw e;
          rejected.push({ index: offset + i, reason: e.message, field: e.field });
        }
      });
      if (good.length > 0) await deps.publisher.publish(good);
      return { accepted: good.length, rejected, eventIds: good.map((e) => e.uuid) };
    },
  };
}

export function requireEvents(count: number): void {
  if (count === 0) throw new InvalidInputError("events", "must hold at least one event");
}
