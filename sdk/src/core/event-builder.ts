import type { Properties, QueuedEvent } from "./contract-types.js";

export interface CaptureOptions {
  /** The user this event belongs to (server-side code capturing for many users). */
  distinctId?: string;
  /** When it happened; defaults to now. */
  timestamp?: Date | string | number;
  /** Your own idempotency key (a UUID); defaults to a fresh UUIDv7. */
  uuid?: string;
}

/** Turns a capture() call into the event that is queued: uuid and time now, super-properties merged. */
export interface EventBuilder {
  build(event: string, properties?: Properties, options?: CaptureOptions): QueuedEvent;
  register(properties: Properties): void;
  unregister(key: string): void;
}

export function createEventBuilder(deps: {
  uuid(): string;
  now(): number;
  distinctId(): string;
  superProperties?: Properties;
  pageProperties?(): Properties;
}): EventBuilder {
  let superProperties: Properties = { ...deps.superProperties };
  // Captures in a burst share a millisecond: format each millisecond once.
  let lastMs = NaN;
  let lastIso = "";
  const iso = (ms: number) => {
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
  return {
    build(event, properties, opts) {
      const time = opts?.timestamp ?? deps.now();
      const queued: QueuedEvent = {
        // The idempotency key is fixed here, once: retries and hand-overs reuse it.
        uuid: opts?.uuid ?? deps.uuid(),
        event: String(event),
        distinctId: opts?.distinctId ?? deps.distinctId(),
        timestamp: typeof time === "number" ? iso(time) : new Date(time).toISOString(),
      };
      // The page's facts first, so super-properties and the event's own win over them.
      const base = deps.pageProperties ? { ...deps.pageProperties(), ...superProperties } : superProperties;
      const props = properties && typeof properties === "object" ? { ...base, ...properties } : base;
      for (const _ in props) {
        queued.properties = props;
        break;
      }
      return queued;
    },
    register(properties) {
      superProperties = { ...superProperties, ...properties };
    },
    unregister(key) {
      const { [key]: _, ...rest } = superProperties;
      superProperties = rest;
    },
  };
}
