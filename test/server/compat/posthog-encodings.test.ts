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

  it("engage: a person update without an event of its own", async () => {
    const res = await send("/engage/", { method: "POST", body: JSON.stringify({ $token: testKeys.write, $distinct_id: "engaged", $set: { plan: "pro" } }) });
    expect(res.status).toBe(200);
    const [e] = (await server.streamEvents()).filter((x) => x.distinctId === "engaged");
    expect([e.event, JSON.parse(e.propertiesJson)]).toEqual(["$set", { $set: { plan: "pro" } }]);
  });
});
