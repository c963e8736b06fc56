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
  /** Person changes the database refused (their events are stored): logged, not retried. */
  peopleRefused: Array<{ change: PersonChange; reason: string }>;
}

/**
 * Writes a batch, then what its stored events say about their people. When
 * the database refuses rows for a reason that is not an outage, splits them
 * in halves until the ones it refuses are isolated, so one bad row does not
 * stall the batch forever: a refused event is dead-lettered; a refused person
 * change is reported (its event stays stored, and is never written twice for
 * it). An outage (StorageUnavailableError) propagates: the batch is retried
 * whole, which stores nothing twice.
 */
export async function writeIsolatingBadRows(sink: EventSink, batch: readonly DecodedEntry[]): Promise<WriteResult> {
  const result: WriteResult = { stored: [], rejected: [], peopleRefused: [] };
  const stored: DecodedEntry[] = [];
  await isolating(
    batch,
    async (part) => {
      await sink.insert(part.map((d) => d.row));
      stored.push(...part);
    },
    (d, reason) => result.rejected.push({ entry: d.entry, reason: `${sink.name} refused the row: ${reason}`.slice(0, 500) }),
  );
  const changes = stored.flatMap((d) => (d.person ? [d.person] : []));
  await isolating(
    changes,
    (part) => sink.savePeople(part),
    (change, reason) => result.peopleRefused.push({ change, reason: reason.slice(0, 500) }),
  );
  result.stored = stored.map((d) => d.entry);
  return result;
}

/** Writes `items`; on a refusal (not an outage) writes halves, down to single items, which are `refused`. */
async function isolating<T>(items: readonly T[], write: (part: readonly T[]) => Promise<void>, refused: (item: T, reason: string) => void): Promise<void> {
  if (items.length === 0) return;
  try {
    await write(items);
  } catch (e) {
    if (e instanceof StorageUnavailableError) throw e;
    if (items.length === 1) return refused(items[0], (e as Error).message);
    const mid = Math.ceil(items.length / 2);
    await isolating(items.slice(0, mid), write, refused);
    await isolating(items.slice(mid), write, refused);
  }
}
