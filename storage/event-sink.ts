import type { StoredEvent } from "../core/events/event-model.js";
import type { PersonChange } from "../core/events/person-change.js";

/** A row in a sink's own form; the worker only carries it from encode (or encodeRaw) to insert. */
export type SinkRow = unknown;

/**
 * The storage seam for the worker: one implementation per database.
 * `insert` must be idempotent by event uuid: the queue delivers at least once,
 * and a uuid stored twice must count once in every query. It throws
 * StorageUnavailableError when the database cannot take the rows now (keep
 * them, retry later); any other error means the database refused the rows.
 */
export interface EventSink {
  readonly name: string;
  /**
   * One event in the form insert takes. The worker calls it while the
   * previous batch is being written, so this work is off the write's path.
   */
  encode(event: StoredEvent): SinkRow;
  /**
   * Optional: the row straight from the queued event's bytes, skipping the
   * decode; undefined when it cannot (the worker then decodes and calls encode).
   */
  encodeRaw?(raw: Uint8Array): SinkRow | undefined;
  insert(rows: readonly SinkRow[]): Promise<void>;
  /**
   * Keeps what stored events said about their people ($set, $set_once, links);
   * called after their insert, so a retry stores them again, harmlessly.
   * Throws as insert does.
   */
  savePeople(changes: readonly PersonChange[]): Promise<void>;
}
