import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { defaultProjectId } from "../access/project-model.js";
import { WireCursor } from "../wire/wire-cursor.js";
import type { StoredEvent, ValidatedEvent } from "./event-model.js";

/**
 * Protobuf bytes of an accepted event (insightplus.v1.QueuedEvent), as stored
 * in the stream, written straight into one Buffer: on the capture hot path
 * create() + toBinary() cost several times more, and BinaryWriter's
 * TextEncoder call per string plus its final concatenation still showed in
 * profiles. A test checks the bytes are identical to protobuf-es's.
 */
export function encodeQueuedEvent(e: ValidatedEvent): Buffer {
  if (e.timestampMs < 0 || e.receivedAtMs < 0) return Buffer.from(encodeWithWriter(e)); // 10-byte negative varints: rare, keep it simple
  const props = e.propertiesJson;
  const lens = [
    Buffer.byteLength(e.uuid),
    Buffer.byteLength(e.event),
    Buffer.byteLength(e.distinctId),
    typeof props === "string" ? Buffer.byteLength(props) : props.length,
  ];
  const projectLength = Buffer.byteLength(e.projectId);
  let size = 0;
  for (const n of lens) if (n > 0) size += 1 + varintSize(n) + n;
  if (e.timestampMs !== 0) size += 1 + varintSize(e.timestampMs);
  if (e.receivedAtMs !== 0) size += 1 + varintSize(e.receivedAtMs);
  if (e.timestampClamped) size += 2;
  if (projectLength > 0) size += 1 + varintSize(projectLength) + projectLength;
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  const strings = [e.uuid, e.event, e.distinctId, e.propertiesJson];
  for (let i = 0; i < 4; i++) {
    if (lens[i] === 0) continue;
    buf[pos++] = ((i + 1) << 3) | WireType.LengthDelimited;
    pos = writeVarint(buf, pos, lens[i]);
    const s = strings[i];
    pos += typeof s === "string" ? buf.write(s, pos, "utf8") : s.copy(buf, pos);
  }
  if (e.timestampMs !== 0) {
    buf[pos++] = (5 << 3) | WireType.Varint;
    pos = writeVarint(buf, pos, e.timestampMs);
  }
  if (e.receivedAtMs !== 0) {
    buf[pos++] = (6 << 3) | WireType.Varint;
    pos = writeVarint(buf, pos, e.receivedAtMs);
  }
  if (e.timestampClamped) {
    buf[pos++] = (7 << 3) | WireType.Varint;
    buf[pos++] = 1;
  }
  if (projectLength > 0) {
    buf[pos++] = (8 << 3) | WireType.LengthDelimited;
    pos = writeVarint(buf, pos, projectLength);
    pos += buf.write(e.projectId, pos, "utf8");
  }
  return buf;
}

function varintSize(n: number): number {
  let size = 1;
  for (; n >= 0x80; n = Math.floor(n / 128)) size++;
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  for (; n >= 0x80; n = Math.floor(n / 128)) buf[pos++] = (n % 128) | 0x80;
  buf[pos++] = n;
  return pos;
}

function encodeWithWriter(e: ValidatedEvent): Uint8Array {
  const w = new BinaryWriter();
  if (e.uuid !== "") w.tag(1, WireType.LengthDelimited).string(e.uuid);
  if (e.event !== "") w.tag(2, WireType.LengthDelimited).string(e.event);
  if (e.distinctId !== "") w.tag(3, WireType.LengthDelimited).string(e.distinctId);
  if (e.propertiesJson.length > 0) w.tag(4, WireType.LengthDelimited).bytes(Buffer.from(e.propertiesJson));
  if (e.timestampMs !== 0) w.tag(5, WireType.Varint).int64(e.timestampMs);
  if (e.receivedAtMs !== 0) w.tag(6, WireType.Varint).int64(e.receivedAtMs);
  if (e.timestampClamped) w.tag(7, WireType.Varint).bool(true);
  if (e.projectId !== "") w.tag(8, WireType.LengthDelimited).string(e.projectId);
  return w.finish();
}

/**
 * Reads insightplus.v1.QueuedEvent (the worker's hot path) straight from a
 * Buffer: strings by utf8Slice, varints by arithmetic. protobuf-es's
 * BinaryReader made a view and a TextDecoder call per string, which showed in
 * the drain's profile as garbage. Anything unusual (unknown fields, wire types
 * out of place, 64-bit varints) is left to decodeWithReader, so the result is
 * always what the generic reader gives.
 */
export function decodeQueuedEvent(bytes: Uint8Array): StoredEvent {
  const s = new QueuedEventSpans(bytes);
  if (!s.read()) return decodeWithReader(bytes);
  const at = s.spans;
  return {
    projectId: s.projectId(),
    uuid: s.text(at[0], at[1]),
    event: s.text(at[2], at[3]),
    distinctId: s.text(at[4], at[5]),
    propertiesJson: s.text(at[6], at[7]),
    timestampMs: s.timestampMs,
    receivedAtMs: s.receivedAtMs,
    timestampClamped: s.timestampClamped,
  };
}

/**
 * Where each field of a queued event lies in its bytes, without making a
 * string: what decodeQueuedEvent reads strings from, and what sinks that write
 * rows straight from the stream's bytes use (the drain's profile was mostly
 * strings made only to be written out again). read() is false for anything
 * (64-bit varints, wire types out of place) left to the generic reader.
 */
export class QueuedEventSpans extends WireCursor {
  /** [start, end) of uuid, event, distinctId and propertiesJson, in that order; then projectId's. */
  readonly spans = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  timestampMs = 0;
  receivedAtMs = 0;
  timestampClamped = false;

  read(): boolean {
    const spans = this.spans;
    while (this.pos < this.buf.length) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wireType = tag % 8;
      if (tag < 0 || field < 1 || field > 8) return false;
      if (field <= 4 || field === 8) {
        if (wireType !== WireType.LengthDelimited) return false;
        const to = this.lengthEnd();
        if (to < 0) return false;
        const at = field === 8 ? 8 : 2 * field - 2;
        spans[at] = this.pos;
        spans[at + 1] = to;
        this.pos = to;
      } else {
        const n = wireType === WireType.Varint ? this.varint() : -1;
        if (n < 0) return false;
        if (field === 5) this.timestampMs = n;
        else if (field === 6) this.receivedAtMs = n;
        else this.timestampClamped = n !== 0;
      }
    }
    return true;
  }

  /** The project id; entries queued before projects existed carry none and belong to the default project. */
  projectId(): string {
    const [from, to] = [this.spans[8], this.spans[9]];
    return from === to ? defaultProjectId : this.text(from, to);
  }
}

/** The generic field-by-field read; unknown fields are skipped, so a newer writer's extra fields do not break an older worker. */
function decodeWithReader(bytes: Uint8Array): StoredEvent {
  const r = new BinaryReader(bytes);
  const e: StoredEvent = { projectId: "", uuid: "", event: "", distinctId: "", propertiesJson: "", timestampMs: 0, receivedAtMs: 0, timestampClamped: false };
  while (r.pos < r.len) {
    const [field, wireType] = r.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) e.uuid = r.string();
    else if (field === 2 && wireType === WireType.LengthDelimited) e.event = r.string();
    else if (field === 3 && wireType === WireType.LengthDelimited) e.distinctId = r.string();
    else if (field === 4 && wireType === WireType.LengthDelimited) e.propertiesJson = r.string();
    else if (field === 5 && wireType === WireType.Varint) e.timestampMs = Number(r.int64());
    else if (field === 6 && wireType === WireType.Varint) e.receivedAtMs = Number(r.int64());
    else if (field === 7 && wireType === WireType.Varint) e.timestampClamped = r.bool();
    else if (field === 8 && wireType === WireType.LengthDelimited) e.projectId = r.string();
    else r.skip(wireType, field);
  }
  if (e.projectId === "") e.projectId = defaultProjectId;
  return e;
}
