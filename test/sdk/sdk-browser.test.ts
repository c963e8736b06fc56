import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { browserBundleOptions } from "../../sdk/scripts/build.mjs";
import { startPageServer } from "../support/sdk-page-server.js";
import { type FlakyProxy, startFlakyProxy } from "../support/sdk-proxy.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { createStreamReader, deliveryReport, type StreamReader } from "../support/stream-reader.js";
import { testKeys } from "../support/test-keys.js";
import { chromiumMissing, launchChromium } from "../support/third-party-pages.js";

// Code inside page.evaluate runs in the page; the root tsconfig has no DOM lib.
declare const window: any;
declare const document: any;
declare const localStorage: any;
declare const sessionStorage: any;

// Browser client in a real headless Chromium, against the real server and
// Redis, through a proxy that can answer 503. The page is served from another
// origin than the API, so CORS is exercised on every request.

if (chromiumMissing) console.warn(`[sdk-browser] SKIPPED: ${chromiumMissing}. With CI=true this fails instead.`);

describe.skipIf(chromiumMissing)(`browser SDK in headless Chromium${chromiumMissing ? " (skipped: no chromium)" : ""}`, { timeout: 60_000 }, () => {
  let browser: Browser;
  let server: InProcessServer;
  let proxy: FlakyProxy;
  let pages: Awaited<ReturnType<typeof startPageServer>>;
  let reader: StreamReader;
  let context: BrowserContext;

  beforeAll(async () => {
    const bundle = join(mkdtempSync(join(tmpdir(), "insightplus-sdk-")), "insightplus.browser.min.js");
    await build(browserBundleOptions(bundle));
    reader = await createStreamReader();
    server = await startInProcessServer({ streamKey: reader.streamKey });
    proxy = await startFlakyProxy(server.url);
    pages = await startPageServer(bundle);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await proxy?.close();
    await server?.close();
    await reader?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    proxy.up();
  });
  afterEach(async () => {
    await context.close();
  });

  async function open(params: Record<string, string | number> = {}, page?: Page): Promise<Page> {
    page ??= await context.newPage();
    const q = new URLSearchParams({ host: proxy.url, apiKey: testKeys.write, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
    await page.goto(`${pages.url}/?${q}`);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready");
    return page;
  }
  const capture = (page: Page, n: number, tag: string) =>
    page.evaluate(({ n, tag }) => Array.from({ length: n }, (_, i) => (window as any).client.capture("page_view", { tag, i })), { n, tag });
  async function expectDeliveredOnce(uuids: string[], timeoutMs = 15_000) {
    const expected = new Set(uuids);
    await reader.waitFor((list) => list.filter((e) => expected.has(e.uuid)).length >= expected.size, timeoutMs);
    await new Promise((r) => setTimeout(r, 700)); // a duplicate would arrive by now
    const counts = await reader.counts();
    const mine = new Map([...counts].filter(([u]) => expected.has(u)));
    expect(deliveryReport(uuids, mine)).toEqual({ duplicated: [], missing: [], delivered: uuids.length });
  }
  const queueKeys = (page: Page) =>
    page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("insightplus:v1:queue:") && JSON.parse(localStorage[k]).events.length));

  it("delivers events, keeping one anonymous id across reloads until identify()", async () => {
    const page = await open({ flushIntervalMs: 200 });
    const first = await capture(page, 5, "delivered");
    const anonymous = await page.evaluate(() => (window as any).client.distinctId);
    await expectDeliveredOnce(first);
    await open({ flushIntervalMs: 200 }, page);
    expect(await page.evaluate(() => (window as any).client.distinctId)).toBe(anonymous);
    await page.evaluate(() => (window as any).client.identify("user-7"));
    const second = await capture(page, 2, "identified");
    await expectDeliveredOnce(second);
    const events = await reader.events();
    expect(events.filter((e) => first.includes(e.uuid)).every((e) => e.distinctId === anonymous)).toBe(true);
    expect(events.filter((e) => second.includes(e.uuid)).every((e) => e.distinctId === "user-7")).toBe(true);
    expect(await page.evaluate(() => (window as any).pageErrors)).toEqual([]);
  });

  it("reload mid-queue: delivered exactly once (handed to the browser on pagehide)", async () => {
    const page = await open({ flushIntervalMs: 60_000 });
    const uuids = await capture(page, 8, "reload-healthy");
    await open({ flushIntervalMs: 60_000 }, page);
    await expectDeliveredOnce(uuids);
    expect(await queueKeys(page)).toEqual([]);
  });

  it("reload mid-queue during an outage: the queue survives in localStorage and the reloaded page sends it once", async () => {
    proxy.down(1);
    const page = await open({ flushIntervalMs: 200 });
    const uuids = await capture(page, 6, "reload-outage");
    await page.waitForFunction(() => (window as any).errors.some((e: any) => e.kind === "send_failed"));
    await open({ flushIntervalMs: 200 }, page);
    expect((await queueKeys(page)).length).toBeGreaterThan(0);
    proxy.up();
    await expectDeliveredOnce(uuids);
  });

  it("pagehide: events captured right before navigating away or closing are delivered", async () => {
    const page = await open({ flushIntervalMs: 60_000 });
    const navigated = await capture(page, 4, "pagehide-navigate");
    await page.goto(`${pages.url}/other`);
    await expectDeliveredOnce(navigated);
    const closing = await open({ flushIntervalMs: 60_000 });
    const closed = await capture(closing, 3, "pagehide-close");
    await closing.close({ runBeforeUnload: true });
    await expectDeliveredOnce(closed);
  });

  it("back/forward cache: a page restored after leaving during an outage takes its queue back and sends it once", async () => {
    proxy.down(1);
    const page = await open({ flushIntervalMs: 200, bfcache: 1 });
    const before = await capture(page, 4, "bfcache-before");
    await page.waitForFunction(() => window.errors.some((e: any) => e.kind === "send_failed"));
    await page.evaluate(() => {
      window.marker = "still here";
    });
    await page.goto(`${pages.url}/other`);
    await page.goBack({ waitUntil: "commit" }); // a bfcache restore fires no load event
    await page.waitForFunction(() => window.marker === "still here");
    const after = await capture(page, 3, "bfcache-after");
    proxy.up();
    await expectDeliveredOnce([...before, ...after]);
    expect(await queueKeys(page)).toEqual([]);
  });

  it("server answering 503 with Retry-After, then recovering: delivered once, after waiting as asked", async () => {
    proxy.failNext(2, 1);
    const page = await open({ flushIntervalMs: 100 });
    const started = Date.now();
    const uuids = await capture(page, 5, "503");
    await expectDeliveredOnce(uuids);
    expect(Date.now() - started).toBeGreaterThan(2000); // two Retry-After: 1 waits
    const errors = await page.evaluate(() => (window as any).errors);
    expect(errors.filter((e: any) => e.kind === "send_failed").length).toBe(2);
    expect(errors.every((e: any) => e.retryInMs >= 1000)).toBe(true);
  });

  it("offline: sends nothing; back online: flushes at once", async () => {
    const page = await open({ flushIntervalMs: 100 });
    await context.setOffline(true);
    const before = proxy.stats.forwarded + proxy.stats.refused;
    const uuids = await capture(page, 5, "offline");
    await page.waitForTimeout(800);
    expect(proxy.stats.forwarded + proxy.stats.refused).toBe(before);
    const counts = await reader.counts();
    expect(uuids.some((u) => counts.has(u))).toBe(false);
    await context.setOffline(false);
    await expectDeliveredOnce(uuids, 5000);
  });

  describe.each([
    ["Web Locks", {}],
    ["localStorage heartbeats and lease (no Web Locks)", { nolocks: 1 }],
  ])("two tabs, coordinated by %s", (_name, extra) => {
    it("never send the same event twice, and a closed tab's queue is adopted by the other", async () => {
      const params = { flushIntervalMs: 150, flushAt: 5, ...extra };
      const [a, b] = [await open(params), await open(params)];
      const uuids: string[] = [];
      for (let round = 0; round < 5; round++) {
        const [x, y] = await Promise.all([capture(a, 7, `tabs-a-${round}`), capture(b, 7, `tabs-b-${round}`)]);
        uuids.push(...x, ...y);
        await a.waitForTimeout(60);
      }
      // Tab A closes during an outage: its queue stays in localStorage for tab B.
      proxy.down(1);
      uuids.push(...(await capture(a, 6, "tabs-a-closing")));
      await a.waitForFunction(() => (window as any).errors.some((e: any) => e.kind === "send_failed"));
      await a.close({ runBeforeUnload: true });
      uuids.push(...(await capture(b, 4, "tabs-b-after")));
      proxy.up();
      await expectDeliveredOnce(uuids, 20_000);
      expect(await queueKeys(b)).toEqual([]);
    });
  });

  it("localStorage full: the page keeps working, events still go out, and events lost on unload are reported through onDrop", async () => {
    const page = await open({ flushIntervalMs: 150, fill: 1 });
    const sent = await capture(page, 10, "storage-full");
    expect(sent.every((u: unknown) => typeof u === "string")).toBe(true);
    await expectDeliveredOnce(sent);
    const state = await page.evaluate(() => ({
      pageErrors: (window as any).pageErrors,
      storageErrors: (window as any).errors.filter((e: any) => e.kind === "storage").length,
      status: document.getElementById("status")!.textContent,
      full: (() => {
        try {
          localStorage.setItem("one-more", "x");
          return false;
        } catch {
          return true;
        }
      })(),
    }));
    expect(state).toEqual({ pageErrors: [], storageErrors: 1, status: "ready", full: true });
    // Offline with nowhere to keep them: leaving the page loses these, and says so.
    await context.setOffline(true);
    const lost = await capture(page, 3, "storage-full-lost");
    await page.goto("about:blank");
    await context.setOffline(false);
    await page.goto(`${pages.url}/other`);
    const reported = JSON.parse((await page.evaluate(() => sessionStorage.getItem("test:drops"))) ?? "[]");
    expect(reported).toEqual([{ uuids: lost, reason: "storage_full" }]);
  });
});
