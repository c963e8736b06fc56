import type { StoredEvent } from "../../core/events/event-model.js";

/** The columns of eventsCopyText's lines, in their order. */
export const eventsCopyColumns = "project_id, uuid, event, distinct_id, properties, event_timestamp, received_at, timestamp_clamped";

/** The COPY that takes eventsCopyText's lines. */
export const eventsCopySql = `COPY events (${eventsCopyColumns}) FROM STDIN`;

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped (NUL cannot be sent at all). */
export function copyValue(s: string): string {
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : s;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Events as COPY text lines (times as ISO 8601 in UTC, to the millisecond, as they were captured). */
export function eventsCopyText(events: readonly StoredEvent[]): string {
  let text = "";
  for (const e of events) {
    text += `${copyValue(e.projectId)}\t${copyValue(e.uuid)}\t${copyValue(e.event)}\t${copyValue(e.distinctId)}\t${copyValue(e.propertiesJson)}\t`;
    text += `${iso(e.timestampMs)}\t${iso(e.receivedAtMs)}\t${e.timestampClamped ? "t" : "f"}\n`;
  }
  return text;
}
