import { gzipSync } from "node:zlib";
import LZString from "lz-string";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessServer, startInProcessServer } from "../../support/server/in-process-server.js";
import { testKeys } from "../../support/test-keys.js";

// Every way PostHog's clients (of any version) wrap a body reaches the queue as the same event.
let server: InProcessServer;
beforeAll(async () => {
  server = await startInProcessServer();
});
afterAll(() => server.close());

const body = (id: string) => JSON.stringify({ event: "wrapped", properties: { token: testKeys.write, distinct_id: id, n: 1 } });
const base64 = (s: string) => Buffer.from(s).toString("base64");
const send = (path: string, init: RequestInit) => fetch(`${server.url}${path}`, init);

const ways: Array<[string, (id: string) => Promise<Response>]> = [
  ["plain JSON", (id) => send("/e/", { method: "POST", headers: { "content-type": "application/json" }, body: body(id) })],
  ["gzip by Content-Encoding", (id) => send("/batch", { method: "POST", headers: { "content-encoding": "gzip" }, body: gzipSync(body(id)) })],
  ["gzip by ?compression=gzip-js", (id) => send("/e/?compression=gzip-js&ver=1.200.0&_=1712345678901", { method: "POST", body: gzipSync(body(id)) })],
  ["gzip by its magic bytes, as text/plain", (id) => send("/i/v0/e/", { method: "POST", headers: { "content-type": "text/plain" }, body: gzipSync(body(id)) })],
  [
    "a data= form of base64",
    (id) =>
      send("/e/", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `data=${encodeURIComponent(base64(body(id)))}` }),
  ],
  [
    "a data= form of lz-string",
    (id) =>
      send("/capture/", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `data=${encodeURIComponent(LZString.compressToBase64(body(id)))}&compression=lz64`,
      }),
  ],
  ["lz64 by ?compression", (id) => send("/track?compression=lz64", { method: "POST", body: LZString.compressToBase64(body(id)) })],
  ["base64 without a word", (id) => send("/e", { method: "POST", body: base64(body(id)) })],
  ["GET ?data= (image beacons)", (id) => send(`/e/?data=${encodeURIComponent(base64(body(id)))}&beacon=1`, { method: "GET" })],
];

describe("PostHog bodies", () => {
  it.each(ways)("%s", async (name, sendIt) => {
    const id = `wrapped-${name}`;
    const res = await sendIt(id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 1 });
    const stored = (await server.streamEvents()).filter((e) => e.distinctId === id);
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0].propertiesJson)).toEqual({ distinct_id: id, n: 1 }); // the token is a key, not a property
  });

  it("an offset of no possible time is taken at receive time; an unparsable sent_at is a 400 naming it, never a 500", async () => {
    const batch = (sentAt: string, id: string) =>
      JSON.stringify({ api_key: testKeys.write, sent_at: sentAt, batch: [{ event: "late", distinct_id: id, offset: 1e20 }] });
    expect((await send("/batch/", { method: "POST", body: batch(new Date().toISOString(), "offset") })).status).toBe(200);
    expect((await server.streamEvents()).filter((e) => e.distinctId === "offset")).toHaveLength(1);
    const bad = await send("/batch/", { method: "POST", body: batch("yesterday-ish", "offset-bad") });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { attr: string }).attr).toBe("sentAt");
  });

  it("engage: a person update without an event of its own", async () => {
    const res = await send("/engage/", { method: "POST", body: JSON.stringify({ $token: testKeys.write, $distinct_id: "engaged", $set: { plan: "pro" } }) });
    expect(res.status).toBe(200);
    const [e] = (await server.streamEvents()).filter((x) => x.distinctId === "engaged");
    expect([e.event, JSON.parse(e.propertiesJson)]).toEqual(["$set", { $set: { plan: "pro" } }]);
  });
});

describe("ALLOWED_EVENTS set by the operator", () => {
  it("holds on the PostHog and Segment endpoints too", async () => {
    const strict = await startInProcessServer({ env: { ALLOWED_EVENTS: "page_view" } });
    try {
      const refused = await fetch(`${strict.url}/e/`, {
        method: "POST",
        body: JSON.stringify({ event: "$pageview", properties: { token: testKeys.write, distinct_id: "u" } }),
      });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { attr: string }).attr).toBe("event");
      const taken = await fetch(`${strict.url}/v1/track`, {
        method: "POST",
        body: JSON.stringify({ writeKey: testKeys.write, event: "page_view", userId: "u" }),
      });
      expect(taken.status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
