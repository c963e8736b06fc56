import type { QueuedEventSpans } from "../../server/queue/queued-event-codec.js";

/**
 * A JSONEachRow row written straight from a queued event's bytes: bytes
 * [start, end) of `chunk`, ending in "\n". Decoding each event into strings
 * and JSON.stringify-ing a row object made most of the drain's garbage; here
 * plain ASCII fields are copied (escaped) into shared chunks. The text is what
 * JSON.stringify(toRow(event)) + "\n" gives (a test compares them).
 */
export class RowSpan {
  constructor(
    readonly chunk: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}
}

const chunkSize = 1 << 20;
// Filled front to back and never rewritten: a chunk lives as long as a row that points into it.
let chunk = Buffer.allocUnsafeSlow(chunkSize);
let used = 0;

const keys = ['{"uuid":', ',"event":', ',"distinct_id":', ',"properties":'].map((k) => Buffer.from(k));
const numberKeys = [',"event_timestamp":', ',"timestamp_ms":', ',"received_at":', ',"timestamp_clamped":'].map((k) => Buffer.from(k));
// JSON.stringify's short escapes; other control characters become \u00xx.
const shortEscapes: Array<number | undefined> = [];
Object.assign(shortEscapes, { 8: 0x62, 9: 0x74, 10: 0x6e, 12: 0x66, 13: 0x72 });
const hex = "0123456789abcdef";

/** The row, or undefined when a text field is not plain ASCII (the caller takes the decoding path). */
export function clickHouseRowFromSpans(s: QueuedEventSpans): RowSpan | undefined {
  const t = s.spans;
  const need = 200 + 6 * (t[1] - t[0] + t[3] - t[2] + t[5] - t[4] + t[7] - t[6]);
  if (used + need > chunk.length) {
    chunk = Buffer.allocUnsafeSlow(Math.max(chunkSize, need));
    used = 0;
  }
  const out = chunk;
  let at = used;
  for (let f = 0; f < 4; f++) {
    at = put(out, keys[f], at);
    at = quote(out, s.buf, t[2 * f], t[2 * f + 1], at);
    if (at < 0) return undefined;
  }
  at = put(out, numberKeys[0], at);
  at = ascii(out, String(Math.floor(s.timestampMs / 1000)), at);
  at = put(out, numberKeys[1], at);
  at = ascii(out, String(s.timestampMs), at);
  at = put(out, numberKeys[2], at);
  at = ascii(out, String(Math.floor(s.receivedAtMs / 1000)), at);
  at = put(out, numberKeys[3], at);
  out[at++] = s.timestampClamped ? 0x31 : 0x30;
  out[at++] = 0x7d; // }
  out[at++] = 0x0a; // \n
  const row = new RowSpan(out, used, at);
  used = at;
  return row;
}

function put(out: Buffer, bytes: Buffer, at: number): number {
  for (let i = 0; i < bytes.length; i++) out[at++] = bytes[i];
  return at;
}

function ascii(out: Buffer, text: string, at: number): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** src[start, end) as a JSON string; -1 at the first byte that is not ASCII. */
function quote(out: Buffer, src: Buffer, start: number, end: number, at: number): number {
  out[at++] = 0x22;
  for (let i = start; i < end; i++) {
    const c = src[i];
    if (c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c) out[at++] = c;
    else if (c >= 0x80) return -1;
    else if (c === 0x22 || c === 0x5c) {
      out[at++] = 0x5c;
      out[at++] = c;
    } else {
      const short = shortEscapes[c];
      if (short !== undefined) {
        out[at++] = 0x5c;
        out[at++] = short;
      } else at = ascii(out, `\\u00${hex[c >> 4]}${hex[c & 15]}`, at);
    }
  }
  out[at++] = 0x22;
  return at;
}

/** The rows as one JSONEachRow text without its last newline (the client adds it). */
export function rowsText(rows: readonly unknown[]): string {
  const bytes = Buffer.concat(rowsBytes(rows));
  return bytes.toString("utf8", 0, bytes.length - 1);
}

/** The rows as JSONEachRow bytes, in as few pieces as they were written in. */
export function rowsBytes(rows: readonly unknown[]): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < rows.length; ) {
    const r = rows[i];
    if (r instanceof RowSpan) {
      let end = r.end;
      let j = i + 1;
      for (let n = rows[j]; n instanceof RowSpan && n.chunk === r.chunk && n.start === end; n = rows[++j]) end = n.end;
      parts.push(r.chunk.subarray(r.start, end));
      i = j;
    } else {
      parts.push(Buffer.from(`${r as string}\n`));
      i++;
    }
  }
  return parts;
}
