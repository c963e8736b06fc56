import { defaultProjectId } from "../../core/access/project-model.js";
import type { StoredEvent } from "../../core/events/event-model.js";
import { QueuedEventSpans } from "../../core/events/queued-event-codec.js";
import { JsonBytesOut } from "../../core/wire/json-bytes-out.js";

// Rows are views into shared 1 MB chunks (see JsonBytesOut): written one after
// the other, so a batch's rows usually go out as one piece.
const out = new JsonBytesOut(1 << 20);
const keys = [',"uuid":', ',"event":', ',"distinct_id":', ',"properties":'].map((k) => Buffer.from(k));
const projectKey = Buffer.from('{"project_id":');
const defaultProject = Buffer.from(JSON.stringify(defaultProjectId));
const numberKeys = [',"event_timestamp":', ',"timestamp_ms":', ',"received_at":', ',"timestamp_clamped":'].map((k) => Buffer.from(k));
const [CLOSE, NEWLINE] = [0x7d, 0x0a];

/** The events table's columns for one event (every column: 18.16 ignores DEFAULTs of omitted JSONEachRow fields). */
export function toRow(e: StoredEvent) {
  return {
    project_id: e.projectId,
    uuid: e.uuid,
    event: e.event,
    distinct_id: e.distinctId,
    properties: e.propertiesJson,
    event_timestamp: Math.floor(e.timestampMs / 1000),
    timestamp_ms: e.timestampMs,
    received_at: Math.floor(e.receivedAtMs / 1000),
    timestamp_clamped: e.timestampClamped ? 1 : 0,
  };
}

/** One row as JSON text (rowsBytes adds the newline). */
export function clickHouseRowText(e: StoredEvent): string {
  return JSON.stringify(toRow(e));
}

/** The row straight from a queued event's bytes, or undefined when they need the generic decoder. */
export function clickHouseRowFromQueued(raw: Uint8Array): Buffer | undefined {
  const spans = new QueuedEventSpans(raw);
  return spans.read() ? clickHouseRowFromSpans(spans) : undefined;
}

/**
 * A JSONEachRow row (ending in "\n") written straight from a queued event's
 * bytes, or undefined when a text field is not ASCII (the caller then decodes
 * and uses JSON.stringify). Decoding each event into strings and
 * JSON.stringify-ing a row object made most of the drain's garbage. The text is
 * what JSON.stringify(toRow(event)) + "\n" gives (a test compares them).
 */
export function clickHouseRowFromSpans(s: QueuedEventSpans): Buffer | undefined {
  const t = s.spans;
  out.begin();
  out.raw(projectKey);
  if (t[8] === t[9])
    out.raw(defaultProject); // queued before projects existed
  else if (!out.asciiString(s.buf, t[8], t[9])) return undefined;
  for (let f = 0; f < 4; f++) {
    out.raw(keys[f]);
    if (!out.asciiString(s.buf, t[2 * f], t[2 * f + 1])) return undefined;
  }
  const numbers = [Math.floor(s.timestampMs / 1000), s.timestampMs, Math.floor(s.receivedAtMs / 1000), s.timestampClamped ? 1 : 0];
  for (let i = 0; i < 4; i++) {
    out.raw(numberKeys[i]);
    out.ascii(String(numbers[i]));
  }
  out.byte(CLOSE);
  out.byte(NEWLINE);
  return out.view();
}

/** The rows as one JSONEachRow text without its last newline (the client adds it). */
export function rowsText(rows: readonly unknown[]): string {
  const bytes = Buffer.concat(rowsBytes(rows));
  return bytes.toString("utf8", 0, bytes.length - 1);
}

/**
 * The rows (bytes from clickHouseRowFromSpans, or JSON strings from the sink's
 * encode) as JSONEachRow bytes, rows written next to each other in one piece.
 */
export function rowsBytes(rows: readonly unknown[]): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < rows.length; ) {
    const r = rows[i];
    if (Buffer.isBuffer(r)) {
      let length = r.length;
      let j = i + 1;
      for (let n = rows[j]; Buffer.isBuffer(n) && n.buffer === r.buffer && n.byteOffset === r.byteOffset + length; n = rows[++j]) length += n.length;
      parts.push(Buffer.from(r.buffer, r.byteOffset, length));
      i = j;
    } else {
      parts.push(Buffer.from(`${r as string}\n`));
      i++;
    }
  }
  return parts;
}
