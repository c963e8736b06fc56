import { defaultProjectId } from "../../core/access/project-model.js";
import type { StoredEvent } from "../../core/events/event-model.js";
import { QueuedEventSpans } from "../../core/events/queued-event-codec.js";
import { JsonBytesOut } from "../../core/wire/json-bytes-out.js";
import { UnstorableRowError } from "../storage-errors.js";

/** The columns a RowBinary row holds, in its order (the MATERIALIZED ones are ClickHouse's to compute). */
export const rowBinaryColumns = "project_id, uuid, event, distinct_id, properties, event_timestamp, timestamp_ms, received_at, timestamp_clamped";

// Rows are views into shared 1 MB chunks, written one after the other (as the JSONEachRow rows).
const out = new JsonBytesOut(1 << 20);
const scratch = Buffer.alloc(16);
const defaultProject = Buffer.from(defaultProjectId);

/**
 * One events row in ClickHouse's RowBinary: strings as a length and their
 * bytes (no escaping, no parsing on either side: the JSON properties go in as
 * they came), UUID as 16 bytes, DateTime as UInt32, numbers little-endian.
 * Written straight from a queued event's bytes. Throws UnstorableRowError for
 * a uuid that is not one (capture never queues such; a hand-written entry may).
 */
export function clickHouseRowBinaryFromQueued(raw: Uint8Array): Buffer | undefined {
  const s = new QueuedEventSpans(raw);
  if (!s.read()) return undefined;
  const t = s.spans;
  out.begin();
  if (t[8] === t[9]) string(defaultProject, 0, defaultProject.length);
  else string(s.buf, t[8], t[9]);
  uuid(s.buf, t[0], t[1]);
  for (let f = 1; f < 4; f++) string(s.buf, t[2 * f], t[2 * f + 1]);
  times(s.timestampMs, s.receivedAtMs, s.timestampClamped);
  return out.view();
}

/** The same row from a decoded event (entries the span reader does not take). */
export function clickHouseRowBinary(e: StoredEvent): Buffer {
  out.begin();
  for (const [i, text] of [e.projectId, e.uuid, e.event, e.distinctId, e.propertiesJson].entries()) {
    const bytes = Buffer.from(text);
    if (i === 1) uuid(bytes, 0, bytes.length);
    else string(bytes, 0, bytes.length);
  }
  times(e.timestampMs, e.receivedAtMs, e.timestampClamped);
  return out.view();
}

function string(src: Uint8Array, from: number, to: number): void {
  let n = to - from;
  do {
    out.byte((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  out.raw(src.subarray(from, to));
}

/** 32 hex digits (dashes anywhere), as ClickHouse keeps a UUID: each 8-byte half little-endian. */
function uuid(src: Uint8Array, from: number, to: number): void {
  let nibbles = 0;
  for (let i = from; i < to && nibbles <= 32; i++) {
    const c = src[i];
    if (c === 0x2d) continue;
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (v < 0) nibbles = 33;
    else {
      const byte = nibbles >> 1;
      // Byte b of the UUID goes to position (b < 8 ? 7 - b : 23 - b): each half reversed.
      const at = byte < 8 ? 7 - byte : 23 - byte;
      scratch[at] = nibbles % 2 === 0 ? v << 4 : scratch[at] | v;
      nibbles++;
    }
  }
  if (nibbles !== 32) throw new UnstorableRowError(`uuid "${Buffer.from(src.subarray(from, Math.min(to, from + 64))).toString()}" is not a UUID`);
  out.raw(scratch);
}

function times(timestampMs: number, receivedAtMs: number, clamped: boolean): void {
  // DateTime and UInt64 hold no time before 1970 (capture clamps event times; only a hand-written entry has one).
  if (timestampMs < 0 || receivedAtMs < 0) throw new UnstorableRowError(`a time before 1970 (${timestampMs < 0 ? timestampMs : receivedAtMs} ms)`);
  scratch.writeUInt32LE(Math.floor(timestampMs / 1000), 0);
  scratch.writeUInt32LE(timestampMs % 2 ** 32, 4); // UInt64 as two halves: no BigInt per row
  scratch.writeUInt32LE(Math.floor(timestampMs / 2 ** 32), 8);
  out.raw(scratch.subarray(0, 12));
  scratch.writeUInt32LE(Math.floor(receivedAtMs / 1000), 0);
  scratch[4] = clamped ? 1 : 0;
  out.raw(scratch.subarray(0, 5));
}
