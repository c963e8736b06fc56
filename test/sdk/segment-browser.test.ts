import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases.js";
import { asReader, testKeys, withBasicKey } from "../support/test-keys.js";
import { chromiumMissing, type StoredEventRow } from "../support/third-party-pages.js";
import { openThirdPartyRig, type ThirdPartyRig } from "../support/third-party-rig.js";
import { waitUntil } from "../support/wait.js";

// Code inside page.evaluate runs in the page; the root tsconfig has no DOM lib.
declare const window: any;

// The real @segment/analytics-next (the npm package, bundled as an app would bundle it, code unchanged)
// in headless Chromium, on a page served from another origin than the API. Its only option is cdnURL:
// it takes its settings from this server's /v1/projects/<writeKey>/settings, which point it back here,
// and then sends every call with Authorization: Basic, so each one is preceded by a CORS preflight.

const postgresMissing = databaseKinds().find((k) => k.kind === "postgres")?.missing;
const skipReason = chromiumMissing ?? postgresMissing;
if (skipReason) console.warn(`[segment-browser] SKIPPED: ${skipReason}`);

const pageHtml = `<!doctype html>
<meta charset="utf-8">
<title>analytics-next test page</title>
<p>A page with Segment's analytics.js on it.</p>
<script src="/segment.js"></script>
<script>
  const q = new URLSearchParams(location.search);
  window.analytics = AnalyticsBrowser.load({ writeKey: q.get("writeKey"), cdnURL: q.get("cdn") });
</script>`;

/** One call analytics-next sent, as it was on the wire. */
interface SentCall {
  path: string;
  type: string;
  messageId: string;
  authorization: string | undefined;
}

describe.skipIf(skipReason)(`@segment/analytics-next in headless Chromium${skipReason ? ` (skipped: ${skipReason})` : ""}`, { timeout: 90_000 }, () => {
  let rig: ThirdPartyRig;
  let server: ThirdPartyRig["server"];
  let pages: ThirdPartyRig["pages"];
  let page: ThirdPartyRig["page"];
  let events: ThirdPartyRig["events"];
  let trouble: ThirdPartyRig["trouble"];
  const sent: SentCall[] = [];
  let settingsRequests = 0;

  beforeAll(async () => {
    rig = await openThirdPartyRig({
      sdkSource: `import { AnalyticsBrowser } from "@segment/analytics-next"; window.AnalyticsBrowser = AnalyticsBrowser;`,
      scriptPath: "/segment.js",
      files: { "/": { type: "text/html", body: pageHtml } },
      onRequest(r, apiUrl) {
        const url = new URL(r.url());
        if (url.origin !== apiUrl) return;
        if (url.pathname === `/v1/projects/${testKeys.write}/settings`) settingsRequests++;
        if (r.method() !== "POST" || !url.pathname.startsWith("/v1/")) return;
        const body = JSON.parse(r.postData() ?? "{}");
        sent.push({ path: url.pathname, type: body.type, messageId: body.messageId, authorization: r.headers().authorization });
      },
    });
    ({ server, pages, page, events, trouble } = rig);
  });
  afterAll(() => rig?.close());

  const stored = (name: string, rows: StoredEventRow[]) => rows.filter((r) => r.event === name);
  /** Waits until `count` events in all are stored (and returns them). */
  async function waitForStored(count: number): Promise<StoredEventRow[]> {
    let rows: StoredEventRow[] = [];
    await waitUntil(`${count} events stored`, async () => (rows = await events.rows()).length >= count, { timeoutMs: 20_000 });
    return rows;
  }

  it("stores page, track, identify and alias calls once each, under the user's id, with identify's traits as person properties", async () => {
    const pageUrl = `${pages.url}/?${new URLSearchParams({ writeKey: testKeys.write, cdn: server.url })}`;
    const opened = Date.now();
    await page.goto(pageUrl);
    // Each call resolves once analytics-next has delivered it (or given up).
    const anonymousId: string = await page.evaluate(async () => {
      const [analytics] = await window.analytics;
      await analytics.page();
      await analytics.track("Order Completed", { total: 12.5, currency: "EUR" });
      // Before identify: once a user id is set, analytics-next sends it as the alias call's userId (its
      // addIdentity overwrites the one alias() names), so an alias after identify links nothing new.
      await analytics.alias("user_7b");
      return analytics.user().anonymousId();
    });
    expect(anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    let rows = await waitForStored(3);
    const [pageview] = stored("$pageview", rows);
    expect(pageview).toMatchObject({
      projectId: "default",
      distinctId: anonymousId,
      properties: { url: pageUrl, path: "/", title: "analytics-next test page", $current_url: pageUrl, $lib: "analytics.js", $lib_version: "npm:next-1.84.3" },
    });
    // The page's own time (one clock here): after the page was opened (stored times may lose their milliseconds), and not ahead of now.
    expect(pageview.eventTimestamp.getTime()).toBeGreaterThanOrEqual(opened - 1000);
    expect(pageview.eventTimestamp.getTime()).toBeLessThanOrEqual(Date.now());
    expect(stored("Order Completed", rows)).toEqual([
      expect.objectContaining({ distinctId: anonymousId, properties: expect.objectContaining({ total: 12.5, currency: "EUR" }) }),
    ]);
    expect(stored("$create_alias", rows)).toEqual([
      expect.objectContaining({ distinctId: "user_7b", properties: expect.objectContaining({ alias: anonymousId }) }),
    ]);

    await page.evaluate(async () => {
      const [analytics] = await window.analytics;
      await analytics.identify("user_7", { name: "Ann", plan: "team" });
      await analytics.track("Order Completed", { total: 30 });
    });
    rows = await waitForStored(5);
    expect(stored("$identify", rows)).toEqual([
      expect.objectContaining({
        distinctId: "user_7",
        properties: expect.objectContaining({ $set: { name: "Ann", plan: "team" }, $anon_distinct_id: anonymousId }),
      }),
    ]);
    expect(
      stored("Order Completed", rows)
        .map((r) => ({ user: r.distinctId, total: r.properties.total }))
        .sort((a, b) => a.total - b.total),
    ).toEqual([
      { user: anonymousId, total: 12.5 },
      { user: "user_7", total: 30 },
    ]);

    let person: any;
    await waitUntil(
      "person user_7 readable",
      async () => {
        const res = await fetch(`${server.url}/api/v1/analytics/persons/user_7`, { headers: asReader });
        person = { status: res.status, json: await res.json() };
        return person.json.properties?.name !== undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(person.status).toBe(200);
    expect(person.json).toMatchObject({ distinctId: "user_7", properties: { name: "Ann", plan: "team" } });
    expect(person.json.linkedIds).toContain(anonymousId);

    // Nothing else arrives late; every call went once (no retry), by the short paths, with the key as
    // the Basic user name, and is stored once.
    await new Promise((r) => setTimeout(r, 1500));
    rows = await events.rows();
    expect(rows.map((r) => r.event).sort()).toEqual(["$create_alias", "$identify", "$pageview", "Order Completed", "Order Completed"].sort());
    expect([...(await events.countsByUuid()).values()]).toEqual([1, 1, 1, 1, 1]);
    expect(settingsRequests).toBe(1);
    const basic = withBasicKey(testKeys.write).authorization;
    expect(sent.map(({ path, type, authorization }) => ({ path, type, authorization }))).toEqual([
      { path: "/v1/p", type: "page", authorization: basic },
      { path: "/v1/t", type: "track", authorization: basic },
      { path: "/v1/a", type: "alias", authorization: basic },
      { path: "/v1/i", type: "identify", authorization: basic },
      { path: "/v1/t", type: "track", authorization: basic },
    ]);
    expect(new Set(sent.map((c) => c.messageId)).size).toBe(5);
  });

  it("logs no console error or warning, throws nothing, and no request to the server fails (preflights included)", async () => {
    expect(trouble).toEqual({ console: [], pageErrors: [], failedRequests: [], badResponses: [], foreignRequests: [] });
  });
});
