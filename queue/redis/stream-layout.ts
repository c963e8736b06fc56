/**
 * Where events sit in Redis: `partitions` streams `${base}:{0}` … `${base}:{N-1}`,
 * each with its own hash tag so Redis Cluster may put each on its own slot
 * (DESIGN.md §12), and each with its dead letters in the same slot. The
 * single-stream layout of earlier versions (the base name itself) is still
 * read until it is empty, so an upgrade loses nothing unread.
 */
export interface StreamLayout {
  partitions: number;
  /** Every stream the workers read: the partitions, then the single-stream layout's key. */
  sources: readonly StreamSource[];
  partitionOf(projectId: string, distinctId: string): number;
  /** The same names with another partition count (what servers configured differently write to). */
  withPartitions(partitions: number): StreamLayout;
  /** Holds the most partitions any server has written to, so workers configured with fewer still read them all. */
  partitionsKey: string;
}

export interface StreamSource {
  /** "0" … "N-1", or "legacy" for the single-stream layout. */
  name: string;
  streamKey: string;
  deadLetterKey: string;
}

export function createStreamLayout(keys: { streamKey: string; deadLetterKey: string; partitions: number }): StreamLayout {
  const partitions = Array.from({ length: keys.partitions }, (_, p) => ({
    name: String(p),
    streamKey: `${keys.streamKey}:{${p}}`,
    deadLetterKey: `${keys.deadLetterKey}:{${p}}`,
  }));
  return {
    partitions: keys.partitions,
    sources: [...partitions, { name: legacySource, streamKey: keys.streamKey, deadLetterKey: keys.deadLetterKey }],
    partitionOf: (projectId, distinctId) => partitionHash(projectId, distinctId) % keys.partitions,
    withPartitions: (n) => createStreamLayout({ ...keys, partitions: n }),
    partitionsKey: `${keys.streamKey}:partitions`,
  };
}

/** The layout a configuration names (REDIS_QUEUE, REDIS_DEAD_LETTER_QUEUE, QUEUE_PARTITIONS). */
export function streamLayoutOf(config: { streamKey: string; queuePartitions: number; worker: { deadLetterKey: string } }): StreamLayout {
  return createStreamLayout({ streamKey: config.streamKey, deadLetterKey: config.worker.deadLetterKey, partitions: config.queuePartitions });
}

export const legacySource = "legacy";

/**
 * FNV-1a (32 bits) over project, a separator and distinct_id, by UTF-16 code
 * unit: stable across processes and versions, and a few nanoseconds an event
 * (no crypto hash needed: nothing depends on it being hard to collide).
 */
export function partitionHash(projectId: string, distinctId: string): number {
  // Plain loops: a helper closing over h kept it in a context slot, ~10× slower (270 ns an event).
  let h = 0x811c9dc5;
  for (let i = 0; i < projectId.length; i++) h = Math.imul(h ^ projectId.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x0a, 0x01000193);
  for (let i = 0; i < distinctId.length; i++) h = Math.imul(h ^ distinctId.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A queue entry's id: its source and its stream id, so acks go back to the stream it came from. */
export function entryId(source: string, streamId: string): string {
  return `${source}/${streamId}`;
}

export function splitEntryId(id: string): { source: string; streamId: string } {
  const at = id.indexOf("/");
  return { source: id.slice(0, at), streamId: id.slice(at + 1) };
}
