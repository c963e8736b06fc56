import { gzipSync } from "node:zlib";
import LZString from "lz-string";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessServer, startInProcessServer } from "../../support/server/in-process-server.js";
import { testKeys, withBasicKey } from "../../support/test-keys.js";

// What the PostHog and Segment endpoints must refuse, naming what is wrong,
// storing nothing, and still serving afterwards.
let server: InProcessServer;
beforeAll(async () => {
  server = await startInProcessServer({ env: { MAX_REQUEST_BYTES: String(512 * 1024) } });
});
afterAll(() => server.close());

const token = testKeys.write;
const event = (extra: Record<string, unknown> = {}) => ({ event: "clicked", properties: { token, distinct_id: "hostile", ...extra } });
const post = (path: string, body: Buffer | string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "text/plain", ...headers }, body });
const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });

const cases: Array<[string, () => Promise<Response>, number, string | RegExp]> = [
  [
    "bad base64 in a data= form",
    () => post("/e/?compression=base64", "data=%21%21%21not*base64", { "content-type": "application/x-www-form-urlencoded" }),
    400,
    "body",
  ],
  ["a form without data", () => post("/e/", "x=1", { "content-type": "application/x-www-form-urlencoded" }), 400, "data"],
  ["truncated gzip", () => post("/batch/", gzipSync(JSON.stringify({ api_key: token, batch: [event()] })).subarray(0, 30)), 400, "body"],
  ["gzip that is not JSON", () => post("/e/", gzipSync("hello, not json")), 400, /body/],
  ["a gzip bomb (64 MB of zeros)", () => post("/batch/", gzipSync(Buffer.alloc(64 << 20))), 413, "body"],
  ["an lz-string bomb", () => post("/e/?compression=lz64", LZString.compressToBase64("x".repeat(1 << 20))), 413, "body"],
  ["lz64 that is not lz-string", () => post("/e/?compression=lz64", "%%%%"), 400, "body"],
  ["invalid UTF-8", () => post("/e/", Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])), 400, "body"],
  ["a wrong token", () => post("/e/", JSON.stringify({ ...event(), properties: { token: "ipw_wrong-token-000000", distinct_id: "x" } })), 401, ""],
  [
    "mixed tokens",
    () => post("/batch/", JSON.stringify({ api_key: token, batch: [event(), { ...event(), properties: { token: "ipw_another-one-00000" } }] })),
    401,
    "",
  ],
  ["a read key as the token", () => post("/e/", JSON.stringify({ ...event(), properties: { token: testKeys.read, distinct_id: "x" } })), 403, ""],
  [
    "10,000 events in one batch",
    () => post("/batch/", JSON.stringify({ api_key: token, batch: Array.from({ length: 10_000 }, () => ({ event: "e", distinct_id: "u" })) })),
    413,
    "batch",
  ],
  ["properties nested 50 deep", () => post("/e/", JSON.stringify(event({ deep: nested(50) }))), 400, /properties|body/],
  [
    "$set naming 1,001 properties",
    () => post("/e/", JSON.stringify({ ...event(), $set: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`p${i}`, i])) })),
    400,
    "properties.$set",
  ],
  ["an event without a name", () => post("/e/", JSON.stringify({ properties: { token, distinct_id: "x" } })), 400, "event"],
  ["an event without a distinct id", () => post("/e/", JSON.stringify({ event: "x", properties: { token } })), 400, "distinctId"],
  ["a Segment batch that is not a list", () => post("/v1/batch", JSON.stringify({ writeKey: token, batch: {} })), 400, "batch"],
  [
    "a Segment call of an unknown type",
    () => post("/v1/batch", JSON.stringify({ writeKey: token, batch: [{ type: "purchase", userId: "u" }] })),
    400,
    "batch[0].type",
  ],
  ["a Segment call without a user", () => post("/v1/track", JSON.stringify({ writeKey: token, event: "x" })), 400, "distinctId"],
  ["a Segment call with a wrong write key", () => post("/v1/track", JSON.stringify({ event: "x", userId: "u" }), withBasicKey("ipw_wrong-key-00000")), 401, ""],
  [
    "a Segment body over the request limit",
    () => post("/v1/track", JSON.stringify({ writeKey: token, event: "x", userId: "u", properties: { pad: "p".repeat(600 * 1024) } })),
    413,
    "",
  ],
];

describe("the PostHog and Segment endpoints refuse", () => {
  it.each(cases)("%s", async (_name, send, status, field) => {
    const before = await server.streams.length();
    const res = await send();
    expect(res.status).toBe(status);
    const body = (await res.json()) as Record<string, unknown>;
    const named = String(body.attr ?? body.field ?? "");
    if (field instanceof RegExp) expect(named).toMatch(field);
    else if (field !== "") expect(named).toBe(field);
    expect(String(body.detail ?? body.message).length).toBeGreaterThan(5);
    expect(await server.streams.length()).toBe(before);
  });

  it("and then still serve", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ok = await post("/e/", JSON.stringify(event()));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 1 });
  });
});
