import type { QueueItem } from "./queue-item.js";

export type PushResult = "ok" | "full" | "duplicate";

/** Oldest-first event queue capped by count and bytes. Removal is by uuid, never by position. */
export interface BoundedQueue {
  readonly count: number;
  readonly bytes: number;
  /** Refuses (never evicts) when the caps would be exceeded: what was accepted stays accepted. */
  push(item: QueueItem): PushResult;
  has(uuid: string): boolean;
  /** The oldest items not in `skip`, up to maxCount and maxBytes (at least one when any is left). */
  peek(maxCount: number, maxBytes: number, skip: ReadonlySet<string>): QueueItem[];
  /** Removes the items with these uuids (absent ones are ignored) and returns them. */
  remove(uuids: Iterable<string>): QueueItem[];
  items(): readonly QueueItem[];
}

export function createBoundedQueue(limits: { maxCount: number; maxBytes: number }): BoundedQueue {
  // Removed items stay in `list` as tombstones (absent from `live`) until the
  // front is trimmed or they are half of it: removing a sent batch is O(batch).
  let list: QueueItem[] = [];
  let head = 0;
  const live = new Map<string, QueueItem>();
  let bytes = 0;

  const alive = (item: QueueItem) => live.get(item.uuid) === item;

  function compact(): void {
    while (head < list.length && !alive(list[head])) head++;
    if (head === list.length) {
      list = [];
      head = 0;
    } else if (list.length - head > 2 * live.size || head > 1024) {
      list = list.slice(head).filter(alive);
      head = 0;
    }
  }

  return {
    get count() {
      return live.size;
    },
    get bytes() {
      return bytes;
    },
    push(item) {
      if (live.has(item.uuid)) return "duplicate";
      if (live.size >= limits.maxCount || bytes + item.bytes > limits.maxBytes) return "full";
      list.push(item);
      live.set(item.uuid, item);
      bytes += item.bytes;
      return "ok";
    },
    has: (uuid) => live.has(uuid),
    peek(maxCount, maxBytes, skip) {
      const out: QueueItem[] = [];
      let size = 0;
      for (let i = head; i < list.length && out.length < maxCount; i++) {
        const item = list[i];
        if (!alive(item) || skip.has(item.uuid)) continue;
        if (out.length && size + item.bytes > maxBytes) break;
        out.push(item);
        size += item.bytes;
      }
      return out;
    },
    remove(uuids) {
      const removed: QueueItem[] = [];
      for (const uuid of uuids) {
        const item = live.get(uuid);
        if (!item) continue;
        live.delete(uuid);
        bytes -= item.bytes;
        removed.push(item);
      }
      if (removed.length) compact();
      return removed;
    },
    items() {
      if (head > 0 || list.length !== live.size) {
        list = list.slice(head).filter(alive);
        head = 0;
      }
      return list;
    },
  };
}
