import type { QueuedEvent } from "./contract-types.js";
import { utf8Length } from "./utf8-length.js";

/**
 * A queued event, serialized once at capture: later changes to the caller's
 * objects cannot alter it, batch bodies are built by concatenation, and its
 * byte size (for the caps, 413 halving and 64 KB unload chunks) is exact.
 */
export interface QueueItem {
  readonly uuid: string;
  readonly json: string;
  readonly bytes: number;
}

export function toQueueItem(event: QueuedEvent): QueueItem {
  const json = JSON.stringify(event);
  return { uuid: event.uuid, json, bytes: utf8Length(json) };
}

export function eventsOf(items: readonly QueueItem[]): QueuedEvent[] {
  return items.map((i) => JSON.parse(i.json) as QueuedEvent);
}

/** Body of POST /api/v1/batch (CaptureEventsRequest in its JSON mapping). */
export function batchBody(items: readonly QueueItem[], sentAt: string): string {
  let body = '{"events":[';
  for (let i = 0; i < items.length; i++) body += (i ? "," : "") + items[i].json;
  return `${body}],"sentAt":"${sentAt}"}`;
}

/** Splits items into runs whose batch body stays under maxBytes (a run holds at least one item). */
export function chunkByBytes(items: readonly QueueItem[], maxBytes: number, overhead = 64): QueueItem[][] {
  const chunks: QueueItem[][] = [];
  let chunk: QueueItem[] = [];
  let size = overhead;
  for (const item of items) {
    if (chunk.length && size + item.bytes + 1 > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      size = overhead;
    }
    chunk.push(item);
    size += item.bytes + 1;
  }
  if (chunk.length) chunks.push(chunk);
  return chunks;
}
