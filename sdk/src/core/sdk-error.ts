import type { QueuedEvent } from "./contract-types.js";

/** Why events left the queue without being delivered. Reported through `onDrop`, never silently. */
export type DropReason =
  /** The queue was at its count or byte cap (e.g. the server was down for long). */
  | "queue_full"
  /** A single event larger than the server accepts in one request (413). */
  | "too_large"
  /** The server refused the event itself (partial success); the reason names the field. */
  | "rejected"
  /** The whole request was refused with a 4xx that retrying cannot fix. */
  | "non_retryable"
  /** The properties could not be serialized (a cycle, a BigInt). */
  | "invalid"
  /** The page went away before these were sent, and storage (full or turned off) could not keep them. */
  | "storage_full"
  /** Captured after shutdown, or still unsent when shutdown's timeout ran out. */
  | "shutdown";

export interface DropInfo {
  reason: DropReason;
  message: string;
  /** For "rejected": the offending field, e.g. "properties.feature". */
  field?: string;
  /** For "non_retryable": the HTTP status. */
  status?: number;
}

export type ErrorKind = "send_failed" | "rejected" | "non_retryable" | "too_large" | "storage" | "callback" | "invalid";

/** What `onError` receives. `retryInMs` is set when the SDK will try again by itself. */
export class InsightPlusError extends Error {
  readonly kind: ErrorKind;
  readonly status?: number;
  readonly retryInMs?: number;
  constructor(kind: ErrorKind, message: string, extra: { status?: number; retryInMs?: number; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = "InsightPlusError";
    this.kind = kind;
    this.status = extra.status;
    this.retryInMs = extra.retryInMs;
  }
}

export type DropHandler = (events: QueuedEvent[], info: DropInfo) => void;
export type ErrorHandler = (error: InsightPlusError) => void;
