import type { AcceptedEvent } from "../../server/capture/event-input.js";

/** A row in a sink's own form; the worker only carries it from encode (or encodeRaw) to insert. */
export type SinkRow = unknown;

/**
 * The storage seam for the worker: one implementation per database.
 * `insert` must be idempotent by event uuid: the queue delivers at least once,
 * and a uuid stored twice must count once in every query.
 */
export interface EventSink {
  readonly name: string;
  /** Creates or migrates the schema; safe to run from several workers at once. */
  migrate(): Promise<void>;
  /**
   * One event in the form insert takes. The worker calls it while the
   * previous batch is being written, so this work is off the write's path.
   */
  encode(event: AcceptedEvent): SinkRow;
  /**
   * Optional: the row straight from the queued event's bytes, skipping the
   * decode; undefined when it cannot (the worker then decodes and calls encode).
   */
  encodeRaw?(raw: Uint8Array): SinkRow | undefined;
  insert(rows: readonly SinkRow[]): Promise<void>;
  close(): Promise<void>;
}

/** The database cannot be reached or is not answering: keep the batch and retry later. */
export class SinkUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SinkUnavailableError";
  }
}

/** Start-up could not use the database; `variable` names the setting to fix. */
export class SinkConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "SinkConfigError";
  }
}

/** Network-level failures that say nothing about the rows themselves. */
const transientCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ECONNABORTED", "UND_ERR_SOCKET"]);

export function isTransientNetworkError(e: unknown): boolean {
  for (let err = e as { code?: string; message?: string; cause?: unknown } | undefined; err; err = err.cause as typeof err) {
    if (err.code && transientCodes.has(err.code)) return true;
    if (/socket hang up|timeout|ECONNREFUSED|ECONNRESET|Connection terminated|connect ETIMEDOUT/i.test(err.message ?? "")) return true;
  }
  return false;
}
