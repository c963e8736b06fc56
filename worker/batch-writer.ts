import type { PersonChange } from "../core/events/person-change.js";
import type { QueueEntry } from "../queue/event-queue.js";
import type { EventSink, SinkRow } from "../storage/event-sink.js";
import { StorageUnavailableError } from "../storage/storage-errors.js";

export interface DecodedEntry {
  entry: QueueEntry;
  /** The event as the sink encoded it. */
  row: SinkRow;
  /** What the event says about its person, if anything. */
  person?: PersonChange;
}

export interface WriteResult {
  stored: QueueEntry[];
  rejected: Array<{ entry: QueueEntry; reason: string }>;
}

/**
 * Writes a batch; when the database refuses it for a reason that is not an
 * outage, splits it in halves until the rows it refuses are isolated, so one
 * bad row is dead-lettered instead of stalling the batch forever. An outage
 * (StorageUnavailableError) propagates: nothing is stored or rejected for it.
 */
export async function writeIsolatingBadRows(sink: EventSink, batch: readonly DecodedEntry[]): Promise<WriteResult> {
  const result: WriteResult = { stored: [], rejected: [] };
  async function write(part: readonly DecodedEntry[]): Promise<void> {
    try {
      await sink.insert(part.map((d) => d.row));
      await sink.savePeople(part.flatMap((d) => (d.person ? [d.person] : [])));
      result.stored.push(...part.map((d) => d.entry));
    } catch (e) {
      if (e instanceof StorageUnavailableError) throw e;
      if (part.length === 1) {
        result.rejected.push({ entry: part[0].entry, reason: `${sink.name} refused the row: ${(e as Error).message}`.slice(0, 500) });
        return;
      }
      const mid = Math.ceil(part.length / 2);
      await write(part.slice(0, mid));
      await write(part.slice(mid));
    }
  }
  await write(batch);
  return result;
}
