import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { Event } from "../../gen/insightplus/v1/event_pb.js";
import { contractFiles } from "../../sdk/scripts/sync-contract.mjs";
import { backoff } from "../../sdk/src/core/backoff.js";
import { createBoundedQueue } from "../../sdk/src/core/bounded-queue.js";
import type { QueuedEvent, WireEvent } from "../../sdk/src/core/contract-types.js";
import { batchBody, chunkByBytes, toQueueItem } from "../../sdk/src/core/queue-item.js";
import { parseRetryAfter, resultOfHttp } from "../../sdk/src/core/send-result.js";
import { utf8Length } from "../../sdk/src/core/utf8-length.js";
import { uuidv7 } from "../../sdk/src/core/uuid-v7.js";

// The SDK core's pure parts, and the contract copy the SDK ships with.

describe("backoff()", () => {
  const fixed = (r: number) => ({ random: () => r });
  it("grows ~500 ms × 2^n with equal jitter and caps", () => {
    expect([1, 2, 3, 4].map((n) => backoff(n, undefined, fixed(1)))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => backoff(n, undefined, fixed(0)))).toEqual([250, 500, 1000, 2000]);
    expect(backoff(40, undefined, fixed(1))).toBe(30_000);
    expect(backoff(40, undefined, { maxMs: 5000, random: () => 1 })).toBe(5000);
  });
  it("never comes back before Retry-After, and spreads clients over 10% after it", () => {
    expect(backoff(1, 3000, fixed(0))).toBe(3000);
    expect(backoff(1, 3000, fixed(1))).toBe(3300);
    expect(backoff(10, 1000, fixed(0))).toBe(15_000); // the exponential part is larger
    expect(backoff(1, 10 * 3600_000, fixed(0))).toBe(600_000); // an absurd ask is capped
  });
});

describe("uuidv7()", () => {
  it("is a version 7, variant 10 UUID whose first 48 bits are the time in ms", () => {
    const at = Date.UTC(2026, 10, 27, 12, 0, 0, 123);
    const ids = Array.from({ length: 1000 }, () => uuidv7(at));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(at);
    }
  });
});

describe("HTTP answers", () => {
  it("retries 408, 429 and 5xx, not other 4xx; halves on 413; reads partial success", () => {
    const kinds = [200, 400, 401, 403, 404, 408, 413, 422, 429, 500, 502, 503].map((s) => [s, resultOfHttp(s, null, "", 0).kind]);
    expect(Object.fromEntries(kinds)).toEqual({
      200: "ok",
      400: "fatal",
      401: "fatal",
      403: "fatal",
      404: "fatal",
      408: "retry",
      413: "too_large",
      422: "fatal",
      429: "retry",
      500: "retry",
      502: "retry",
      503: "retry",
    });
    const body = JSON.stringify({ status: "queued", accepted: 1, rejected: [{ index: 1, reason: "bad", field: "event" }], eventIds: ["a"] });
    expect(resultOfHttp(200, null, body, 0)).toEqual({ kind: "ok", rejected: [{ index: 1, reason: "bad", field: "event" }] });
  });
  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("2", 0)).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(resultOfHttp(503, "1", "{}", 0)).toMatchObject({ kind: "retry", retryAfterMs: 1000 });
  });
});

describe("queue", () => {
  const item = (i: number, extra = "") => toQueueItem({ uuid: `u${i}`, event: "page_view", distinctId: "d", timestamp: "t", properties: { extra } });
  it("refuses beyond its count and byte caps instead of evicting, and removes by uuid", () => {
    const q = createBoundedQueue({ maxCount: 3, maxBytes: 10_000 });
    expect([1, 2, 3, 4].map((i) => q.push(item(i)))).toEqual(["ok", "ok", "ok", "full"]);
    expect(q.push(item(2))).toBe("duplicate");
    const batch = q.peek(2, 1e9, new Set());
    q.push(item(5)); // refused: still full
    q.remove(batch.map((b) => b.uuid));
    expect(q.push(item(6))).toBe("ok"); // captured "during the flush": kept
    expect(q.items().map((i) => i.uuid)).toEqual(["u3", "u6"]);
    const small = createBoundedQueue({ maxCount: 100, maxBytes: item(0, "x".repeat(100)).bytes * 2 });
    expect([0, 1, 2].map((i) => small.push(item(i, "x".repeat(100))))).toEqual(["ok", "ok", "full"]);
    expect(small.bytes).toBe(item(0, "x".repeat(100)).bytes * 2);
  });
  it("peeks around events in flight and within a byte budget, at least one", () => {
    const q = createBoundedQueue({ maxCount: 100, maxBytes: 1e9 });
    for (let i = 0; i < 5; i++) q.push(item(i, "y".repeat(50)));
    expect(q.peek(10, 1, new Set()).map((i) => i.uuid)).toEqual(["u0"]);
    expect(q.peek(2, 1e9, new Set(["u0", "u1"])).map((i) => i.uuid)).toEqual(["u2", "u3"]);
  });
  it("chunks under a byte limit, and builds the JSON batch body", () => {
    const items = Array.from({ length: 10 }, (_, i) => item(i, "z".repeat(1000)));
    const chunks = chunkByBytes(items, 3500);
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 3, 1]);
    for (const c of chunks) expect(utf8Length(batchBody(c, new Date(0).toISOString()))).toBeLessThan(3500);
    expect(JSON.parse(batchBody(items.slice(0, 2), "2026-01-01T00:00:00.000Z"))).toEqual({
      events: [JSON.parse(items[0].json), JSON.parse(items[1].json)],
      sentAt: "2026-01-01T00:00:00.000Z",
    });
  });
  it("counts UTF-8 bytes", () => {
    for (const s of ["", "abc", "é", "€", "😀", "a😀é€z"]) expect(utf8Length(s)).toBe(Buffer.byteLength(s));
  });
});

describe("contract", () => {
  it("the SDK's copy of the generated contract matches gen/ (run `npm run sync-contract` in sdk/)", () => {
    for (const file of contractFiles) {
      expect(readFileSync(`sdk/src/gen/${file}`, "utf8"), file).toBe(readFileSync(`gen/${file}`, "utf8"));
    }
  });
  it("the SDK's wire types are the contract's Event fields", () => {
    expectTypeOf<keyof WireEvent>().toEqualTypeOf<Exclude<keyof Event, "$typeName" | "$unknown">>();
    expectTypeOf<QueuedEvent>().toMatchTypeOf<Omit<WireEvent, "sentAt">>();
  });
});
