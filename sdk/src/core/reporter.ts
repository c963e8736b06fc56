import type { QueuedEvent } from "./contract-types.js";
import type { DropHandler, DropInfo, ErrorHandler, InsightPlusError } from "./sdk-error.js";

/** The one way drops and errors reach the app. Callbacks that throw never break the SDK. */
export interface Reporter {
  drop(events: QueuedEvent[], info: DropInfo): void;
  error(error: InsightPlusError): void;
}

const logEveryMs = 10_000;

export function createReporter(onDrop?: DropHandler, onError?: ErrorHandler): Reporter {
  function safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      console.warn("[insightplus] an onDrop/onError callback threw", e);
    }
  }
  // Without callbacks, drops and errors still show (never silently), but as at most
  // one console line per 10 s: a long outage must not flood the app's logs.
  let unlogged = 0;
  let loggedAt = -Infinity;
  function log(count: number, line: string): void {
    unlogged += count;
    const now = Date.now();
    if (now - loggedAt < logEveryMs) return;
    console.warn(`[insightplus] ${line}${unlogged > count ? ` (${unlogged} since the last message)` : ""}`);
    unlogged = 0;
    loggedAt = now;
  }
  return {
    drop(events, info) {
      if (!events.length) return;
      if (onDrop) safely(() => onDrop(events, info));
      else log(events.length, `dropped ${events.length} event(s) (${info.reason}): ${info.message}`);
    },
    error(error) {
      if (onError) safely(() => onError(error));
      else if (error.retryInMs === undefined && error.kind !== "rejected") log(0, `${error.kind}: ${error.message}`);
    },
  };
}
