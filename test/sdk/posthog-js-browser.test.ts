import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases.js";
import { asReader, testKeys } from "../support/test-keys.js";
import { chromiumMissing, type StoredEventRow } from "../support/third-party-pages.js";
import { openThirdPartyRig, type ThirdPartyRig } from "../support/third-party-rig.js";
import { waitUntil } from "../support/wait.js";

// Code inside page.evaluate runs in the page; the root tsconfig has no DOM lib.
declare const window: any;

// The real posthog-js (the npm package, bundled as an app would bundle it, code unchanged) in headless
// Chromium, on a page served from another origin than the API, with its default options but api_host
// (and the headless-browser bot filter turned off): it loads its remote config from this server, sends
// gzip bodies to /e/, and $pageleave by sendBeacon, and everything it sends must be stored once.

const postgresMissing = databaseKinds().find((k) => k.kind === "postgres")?.missing;
const skipReason = chromiumMissing ?? postgresMissing;
if (skipReason) console.warn(`[posthog-js-browser] SKIPPED: ${skipReason}`);

const pageHtml = `<!doctype html>
<meta charset="utf-8">
<title>posthog-js test page</title>
<p>A page with posthog-js on it.</p>
<button id="upgrade" type="button">Upgrade</button>
<script>
  // Test instrumentation, not the SDK's: notes each sendBeacon call (Playwright does not report beacons)
  // in localStorage, for the test to read on the next page, and passes it on unchanged.
  const sendBeacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = (url, data) => {
    const queued = sendBeacon(url, data);
    const log = JSON.parse(localStorage.getItem("test:beacons") || "[]");
    log.push({ url: String(url), type: data && data.type, size: data && data.size, queued });
    localStorage.setItem("test:beacons", JSON.stringify(log));
    return queued;
  };
</script>
<script src="/posthog.js"></script>
<script>
  const q = new URLSearchParams(location.search);
  posthog.init(q.get("token"), { api_host: q.get("host"), opt_out_useragent_filter: true });
</script>`;

/** One event posthog-js sent by fetch, as it was on the wire. */
interface SentEvent {
  uuid: string;
  event: string;
  distinctId: string;
}

/** The events in a posthog-js /e/ body: gzip (by its magic bytes), `data=` base64, or JSON; `{api_key, batch}` or one event. */
function eventsOfBody(body: Buffer): any[] {
  let text: string;
  if (body[0] === 0x1f && body[1] === 0x8b) text = gunzipSync(body).toString("utf8");
  else if (body.subarray(0, 5).toString() === "data=") text = Buffer.from(new URLSearchParams(body.toString()).get("data") ?? "", "base64").toString("utf8");
  else text = body.toString("utf8");
  const json = JSON.parse(text);
  return Array.isArray(json) ? json : Array.isArray(json.batch) ? json.batch : [json];
}

describe.skipIf(skipReason)(`posthog-js in headless Chromium${skipReason ? ` (skipped: ${skipReason})` : ""}`, { timeout: 90_000 }, () => {
  let rig: ThirdPartyRig;
  let server: ThirdPartyRig["server"];
  let pages: ThirdPartyRig["pages"];
  let page: ThirdPartyRig["page"];
  let events: ThirdPartyRig["events"];
  let trouble: ThirdPartyRig["trouble"];
  const sent: SentEvent[] = [];
  /** Bodies of requests to /e/ the test could not read (it must read every one). */
  const unreadBodies: string[] = [];

  beforeAll(async () => {
    rig = await openThirdPartyRig({
      sdkSource: `import posthog from "posthog-js"; window.posthog = posthog;`,
      scriptPath: "/posthog.js",
      files: {
        "/": { type: "text/html", body: pageHtml },
        "/other": { type: "text/html", body: "<!doctype html><title>another page</title><p>No analytics here.</p>" },
      },
      onRequest(r, apiUrl) {
        const url = new URL(r.url());
        if (url.origin !== apiUrl || !/^\/e\/?$/.test(url.pathname) || r.method() !== "POST") return;
        try {
          for (const e of eventsOfBody(r.postDataBuffer() ?? Buffer.alloc(0)))
            sent.push({ uuid: e.uuid, event: e.event, distinctId: e.properties?.distinct_id });
        } catch (err) {
          unreadBodies.push(`${r.url()}: ${err}`);
        }
      },
    });
    ({ server, pages, page, events, trouble } = rig);
  });
  afterAll(() => rig?.close());

  const stored = (name: string, rows: StoredEventRow[]) => rows.filter((r) => r.event === name);
  /** Waits until `count` events named `name` are stored (and returns every stored row). */
  async function waitForStored(name: string, count: number): Promise<StoredEventRow[]> {
    let rows: StoredEventRow[] = [];
    await waitUntil(`${count} ${name} stored`, async () => stored(name, (rows = await events.rows())).length >= count, { timeoutMs: 20_000 });
    return rows;
  }
  const person = async (distinctId: string) => {
    const res = await fetch(`${server.url}/api/v1/analytics/persons/${encodeURIComponent(distinctId)}`, { headers: asReader });
    return { status: res.status, json: (await res.json()) as any };
  };

  it("stores the automatic $pageview, an autocaptured click, captured and identify events, a reload's $pageview and the $pageleave sent by sendBeacon, each once", async () => {
    const q = new URLSearchParams({ token: testKeys.write, host: server.url });
    const pageUrl = `${pages.url}/?${q}`;
    const opened = Date.now();
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.posthog?.__loaded === true);
    const anonymous: string = await page.evaluate(() => window.posthog.get_distinct_id());

    // The $pageview posthog-js sends on load, by itself.
    let rows = await waitForStored("$pageview", 1);
    const [pageview] = stored("$pageview", rows);
    expect(pageview).toMatchObject({
      projectId: "default",
      distinctId: anonymous,
      properties: {
        $current_url: pageUrl,
        $host: new URL(pages.url).host,
        $pathname: "/",
        title: "posthog-js test page",
        $lib: "web",
        $lib_version: "1.449.2",
      },
    });
    expect(pageview.properties.token).toBeUndefined(); // the write key is not kept in the properties
    // The page's own time (one clock here): after the page was opened (stored times may lose their milliseconds), and not ahead of now.
    expect(pageview.eventTimestamp.getTime()).toBeGreaterThanOrEqual(opened - 1000);
    expect(pageview.eventTimestamp.getTime()).toBeLessThanOrEqual(Date.now());

    // Autocapture, on by default and enabled by the remote config, records a click.
    await page.click("#upgrade");
    rows = await waitForStored("$autocapture", 1);
    expect(stored("$autocapture", rows)).toEqual([
      expect.objectContaining({
        distinctId: anonymous,
        properties: expect.objectContaining({ $event_type: "click", $elements_chain: expect.stringContaining("upgrade") }),
      }),
    ]);

    // A custom event, then identify: $identify names the anonymous id and carries the person's properties.
    await page.evaluate(() => {
      window.posthog.capture("Signed Up", { plan: "pro" });
      window.posthog.identify("user_42", { email: "user42@example.com" });
    });
    expect(await page.evaluate(() => window.posthog.get_distinct_id())).toBe("user_42");
    await waitForStored("$identify", 1);
    rows = await waitForStored("Signed Up", 1);
    expect(stored("Signed Up", rows)).toEqual([expect.objectContaining({ distinctId: anonymous, properties: expect.objectContaining({ plan: "pro" }) })]);
    expect(stored("$identify", rows)).toEqual([
      expect.objectContaining({
        distinctId: "user_42",
        properties: expect.objectContaining({ $anon_distinct_id: anonymous, $set: expect.objectContaining({ email: "user42@example.com" }) }),
      }),
    ]);
    let found: { status: number; json: any } | undefined;
    await waitUntil("person user_42 readable", async () => (found = await person("user_42")).json.properties?.email !== undefined, { timeoutMs: 20_000 });
    expect(found!.status).toBe(200);
    expect(found!.json).toMatchObject({ distinctId: "user_42", properties: { email: "user42@example.com" } });
    expect(found!.json.linkedIds).toContain(anonymous);

    // A reload: the page being left sends its $pageleave, the new one its $pageview, now as user_42.
    await page.reload();
    await page.waitForFunction(() => window.posthog?.__loaded === true);
    rows = await waitForStored("$pageview", 2);
    expect(stored("$pageview", rows).map((r) => r.distinctId)).toEqual([anonymous, "user_42"]);
    await waitForStored("$pageleave", 1);

    // Navigating away: $pageleave, by sendBeacon.
    await page.goto(`${pages.url}/other`);
    rows = await waitForStored("$pageleave", 2);
    const leaves = stored("$pageleave", rows);
    expect(leaves.map((r) => r.distinctId)).toEqual(["user_42", "user_42"]);
    expect(leaves.every((r) => r.properties.$current_url === pageUrl)).toBe(true);

    // Both $pageleave went by sendBeacon (gzip, typed text/plain: no preflight) as the page unloaded.
    const beacons = JSON.parse((await page.evaluate(() => window.localStorage.getItem("test:beacons"))) ?? "[]");
    expect(beacons).toEqual([
      { url: `${server.url}/e/`, type: "text/plain", size: expect.any(Number), queued: true },
      { url: `${server.url}/e/`, type: "text/plain", size: expect.any(Number), queued: true },
    ]);

    // Nothing else arrives late, and every event is stored once: those posthog-js sent by fetch under the
    // uuid it gave them, sent once each (no retry: the server answered 200 at once), and the beacons'.
    await new Promise((r) => setTimeout(r, 1500));
    rows = await events.rows();
    expect(unreadBodies).toEqual([]);
    expect(rows.map((r) => r.event).sort()).toEqual(["$autocapture", "$identify", "$pageleave", "$pageleave", "$pageview", "$pageview", "Signed Up"].sort());
    expect([...(await events.countsByUuid()).values()]).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(new Set(sent.map((e) => e.uuid)).size).toBe(sent.length);
    const byUuid = (a: { uuid: string }, b: { uuid: string }) => a.uuid.localeCompare(b.uuid);
    expect(
      rows
        .filter((r) => r.event !== "$pageleave")
        .map((r) => ({ uuid: r.uuid, event: r.event, distinctId: r.distinctId }))
        .sort(byUuid),
    ).toEqual([...sent].sort(byUuid));
  });

  it("logs no console error or warning, throws nothing, and no request to the server fails", async () => {
    expect(trouble).toEqual({ console: [], pageErrors: [], failedRequests: [], badResponses: [], foreignRequests: [] });
  });
});
