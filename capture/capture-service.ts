import { InvalidInputError, isDomainError } from "../core/errors/domain-errors.js";
import type { EventInput, ValidatedEvent } from "../core/events/event-model.js";
import type { EventPublisher } from "../queue/event-queue.js";
import type { CaptureTarget } from "./capture-target.js";
import { enrichEvent } from "./enrichment/enrichment-step.js";
import type { Enricher } from "./enrichment/event-enricher.js";
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
  /** Validates and queues one event for the target; throws a DomainError when refused. */
  captureOne(input: EventInput, target: CaptureTarget): Promise<string>;
  /**
   * Validates each event and queues the valid ones (partial success). Throws only
   * when nothing could be queued for a reason that is not the events' own
   * (queue unavailable). `indexOffset` numbers rejections across a stream.
   */
  captureMany(inputs: readonly EventInput[], target: CaptureTarget, opts?: { sentAt?: string; indexOffset?: number }): Promise<BatchResult>;
}

export interface CaptureServiceDeps {
  validator: EventValidator;
  publisher: EventPublisher;
  /** Adds browser, OS, referrer, campaign… to events whose target asks for it. */
  enricher?: Enricher;
  now?: () => number;
}

export function createCaptureService(deps: CaptureServiceDeps): CaptureService {
  const now = deps.now ?? Date.now;
  /**
   * The event's id, and the event ready to queue, or none when the project drops it (a bot's: answered as
   * taken, since the client did nothing wrong and must not retry it).
   */
  function prepared(input: EventInput, target: CaptureTarget, receivedAt: number, sentAt?: string): { uuid: string; queue?: ValidatedEvent } {
    const event = deps.validator.validate(input, target, receivedAt, sentAt);
    return { uuid: event.uuid, queue: deps.enricher && target.enrichment ? enrichEvent(deps.enricher, event, input, target.enrichment) : event };
  }
  return {
    async captureOne(input, target) {
      const event = prepared(input, target, now());
      if (event.queue) await deps.publisher.publish([event.queue]);
      return event.uuid;
    },
    async captureMany(inputs, target, opts = {}) {
      const receivedAt = now();
      const offset = opts.indexOffset ?? 0;
      const good: ValidatedEvent[] = [];
      const eventIds: string[] = [];
      const rejected: Rejection[] = [];
      inputs.forEach((input, i) => {
        try {
          const event = prepared(input, target, receivedAt, opts.sentAt);
          eventIds.push(event.uuid);
          if (event.queue) good.push(event.queue);
        } catch (e) {
          if (!isDomainError(e) || !("field" in e)) throw e;
          rejected.push({ index: offset + i, reason: e.message, field: e.field });
        }
      });
      if (good.length > 0) await deps.publisher.publish(good);
      return { accepted: eventIds.length, rejected, eventIds };
    },
  };
}

export function requireEvents(count: number): void {
  if (count === 0) throw new InvalidInputError("events", "must hold at least one event");
}
