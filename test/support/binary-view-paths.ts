import { create, type DescField, type DescMessage, fromBinary, type JsonObject, toBinary } from "@bufbuild/protobuf";
import { expect } from "vitest";
import { anyEventName } from "../../capture/capture-target.js";
import { createEventValidator } from "../../capture/event-validator.js";
import { InvalidInputError, TooLargeError } from "../../core/errors/domain-errors.js";
import type { EventInput } from "../../core/events/event-model.js";
import { CaptureService } from "../../gen/insightplus/v1/capture_service_pb.js";
import { EventSchema } from "../../gen/insightplus/v1/event_pb.js";
import { binaryViewOf, type ViewMethod } from "../../server/rpc/binary-view.js";

// The two ways a binary capture request can be read, and an independent walk of protobuf-es's reading (for test/server/binary-view.test.ts).

export const view = binaryViewOf(CaptureService);
export const served = (name: string) => view.served.find((m) => m.method.name === name)!;
export const validator = createEventValidator({ maxEventBytes: 32768 });
const target = { projectId: "default", eventNames: anyEventName };
export const receivedAt = Date.parse("2024-07-01T12:00:00.000Z");

// ---- hand-written wire bytes (for what toBinary will not write) ----
export const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
};
export const bytes = (...parts: Array<ArrayLike<number>>) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
export const len = (field: number, body: ArrayLike<number>) => bytes(varint(field * 8 + 2), varint(body.length), body);
export const utf8 = (s: string) => Buffer.from(s, "utf8");
/** A Struct's own bytes, as protobuf-es writes them (the Event field's payload). */
export const structOf = (o: JsonObject): Uint8Array => {
  const event = toBinary(EventSchema, create(EventSchema, { properties: o }));
  if (event.length === 0) return event;
  const c = { pos: 1 };
  const n = readVarint(event, c);
  return event.subarray(c.pos, c.pos + n);
};
export const readVarint = (b: Uint8Array, c: { pos: number }) => {
  let n = 0;
  for (let scale = 1; ; scale *= 128) {
    const x = b[c.pos++];
    n += (x & 0x7f) * scale;
    if (x < 0x80) return n;
  }
};

// ---- what both paths give ----
type EventOutcome =
  | { ok: { uuid: string; event: string; distinctId: string; propertiesJson: string; timestampMs: number; timestampClamped: boolean } }
  | { refused: { error: string; field: string; message: string } };
type Outcome = { wholeRequest: "refused" } | { events: EventOutcome[] };

export function validate(input: EventInput, sentAt?: string): EventOutcome {
  try {
    const v = validator.validate(input, target, receivedAt, sentAt);
    if (input.uuid === "") expect(v.uuid).toMatch(/^[0-9a-f-]{36}$/); // assigned (randomly): compared as such
    return {
      ok: {
        uuid: input.uuid === "" ? "(assigned)" : v.uuid,
        event: v.event,
        distinctId: v.distinctId,
        propertiesJson: v.propertiesJson.toString(),
        timestampMs: v.timestampMs,
        timestampClamped: v.timestampClamped,
      },
    };
  } catch (e) {
    if (!(e instanceof InvalidInputError) && !(e instanceof TooLargeError)) throw e;
    return { refused: { error: e.name, field: e.field, message: e.message } };
  }
}

export type Kind = "single" | "batch";
export const events = (kind: Kind, req: Record<string, unknown>): EventOutcome[] =>
  kind === "single" ? [validate(req as unknown as EventInput)] : (req.events as EventInput[]).map((e) => validate(e, req.sentAt as string));

export function genericPath(schema: DescMessage, kind: Kind, wire: Uint8Array): Outcome {
  let req: Record<string, unknown>;
  try {
    req = fromBinary(schema, wire) as unknown as Record<string, unknown>;
  } catch {
    return { wholeRequest: "refused" };
  }
  return { events: events(kind, req) };
}

/** Exactly what the server does for a binary request: connect decodes with the view's schema, decodingMethod calls read. */
export function viewPath(method: ViewMethod, kind: Kind, wire: Uint8Array): Outcome {
  let decoded: Record<string, unknown>;
  try {
    decoded = fromBinary(method.method.input, wire) as unknown as Record<string, unknown>;
  } catch {
    return { wholeRequest: "refused" };
  }
  let req: Record<string, unknown>;
  try {
    req = method.read(decoded);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError); // INVALID_ARGUMENT for the whole request, as connect's "parse binary" becomes
    return { wholeRequest: "refused" };
  }
  return { events: events(kind, req) };
}

// ---- an independent walk: does protobuf-es read some field past the end of the message holding it? ----
// protobuf-es checks lengths against the end of the whole buffer only, so it reads such input
// across the boundary; the view isolates each event and each Struct and refuses it. This mirrors
// protobuf-es's reader (wire types ignored for declared fields, map entries reading only their
// tags for unknown numbers) to tell those inputs apart.
export function readsAcross(desc: DescMessage, wire: Uint8Array): boolean {
  const r = { b: wire, pos: 0, across: false };
  try {
    walkMessage(r, desc, wire.length, 1);
  } catch {
    // protobuf-es refuses it too (the test checks that)
  }
  return r.across;
}
type Walk = { b: Uint8Array; pos: number; across: boolean };
const bounds = (r: Walk) => {
  if (r.pos > r.b.length) throw new Error("premature EOF");
};
function u32(r: Walk): number {
  let result = 0;
  for (let i = 0; i < 10; i++) {
    const x = r.b[r.pos++];
    if (i < 5) result += (i < 4 ? x & 0x7f : x & 0x0f) * 2 ** (7 * i);
    if ((x & 0x80) === 0) {
      bounds(r);
      return result >>> 0;
    }
  }
  throw new Error("invalid varint");
}
function skipVarint(r: Walk) {
  for (let i = 0; i < 10; i++) if ((r.b[r.pos++] & 0x80) === 0) return bounds(r);
  throw new Error("invalid varint");
}
export function tag(r: Walk): [number, number] {
  const start = r.pos;
  const t = u32(r);
  if (r.pos - start > 5 || (r.pos - start === 5 && r.b[r.pos - 1] > 0x0f)) throw new Error("illegal tag");
  if (t >>> 3 <= 0 || (t & 7) > 5) throw new Error("illegal tag");
  return [t >>> 3, t & 7];
}
function skip(r: Walk, wt: number, no: number, limit: number) {
  if (wt === 0) {
    while (r.b[r.pos++] & 0x80);
  } else if (wt === 1) r.pos += 8;
  else if (wt === 5) r.pos += 4;
  else if (wt === 2) {
    const n = u32(r); // not `r.pos += u32(r)`: that reads r.pos first
    r.pos += n;
  } else if (wt === 3) {
    if (limit <= 0) throw new Error("recursion");
    for (;;) {
      const [fn, t] = tag(r);
      if (t === 4) {
        if (fn !== no) throw new Error("invalid end group tag");
        break;
      }
      skip(r, t, fn, limit - 1);
    }
  } else throw new Error("cant skip");
  bounds(r);
}
function walkMessage(r: Walk, desc: DescMessage, end: number, depth: number) {
  if (depth > 100) throw new Error("recursion");
  while (r.pos < end) {
    const [no, wt] = tag(r);
    const f = desc.fields.find((x) => x.number === no);
    if (!f) skip(r, wt, no, 100 - depth);
    else walkField(r, f, depth);
  }
  if (r.pos > end) r.across = true;
}
function walkScalar(r: Walk, scalar: number) {
  if (scalar === 9 || scalar === 12) {
    const n = u32(r); // string, bytes
    r.pos += n;
  } else if (scalar === 1)
    r.pos += 8; // double
  else skipVarint(r); // bool, int32 (the enum)
  bounds(r);
}
function walkField(r: Walk, f: DescField, depth: number) {
  if (f.fieldKind === "scalar") walkScalar(r, f.scalar);
  else if (f.fieldKind === "enum") skipVarint(r);
  else if (f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message")) {
    const n = u32(r);
    walkMessage(r, f.message!, r.pos + n, depth + 1);
  } else if (f.fieldKind === "map") {
    const end = u32(r) + r.pos;
    while (r.pos < end) {
      const [no] = tag(r);
      if (no === 1) walkScalar(r, 9);
      else if (no === 2) walkMessage(r, f.message!, u32(r) + r.pos, depth + 1);
    }
    if (r.pos > end) r.across = true;
  } else throw new Error(`not in our schemas: ${f.name}`);
}
