import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard } from "../../scripts/build-dashboard.mjs";
import { buildFixture } from "../support/analytics-fixture.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { loadFixture } from "../support/fixture-loading.js";
import { postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asReader, testKeys, withKey } from "../support/test-keys.js";
import { chromiumMissing, launchChromium, watchPage } from "../support/third-party-pages.js";

// Screenshots land here as artefacts of the run (not committed).
const artefacts = join(import.meta.dirname, "..", "..", "test-results", "dashboard");
const now = Date.now();
const fixture = buildFixture(now);

const dayOf = (ms: number, tz: string) => new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
const daysBefore = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
/** The last `days` days up to today in `tz`: the dashboard's presets. */
const lastDays = (days: number, tz: string) => ({ from: daysBefore(dayOf(now, tz), days - 1), to: dayOf(now, tz), tz });

describe.skipIf(chromiumMissing)("the dashboard in Chromium, against a listening engine with the fixture loaded", () => {
  let db: TestDatabase;
  let server: InProcessServer;
  let browser: Browser;
  let page: Page;
  let trouble: ReturnType<typeof watchPage>;
  const api = async (path: string, body?: unknown) =>
    body === undefined
      ? ((await (await fetch(`${server.url}/api/v1/analytics/${path}`, { headers: asReader })).json()) as any)
      : (await postJson(`${server.url}/api/v1/analytics/${path}`, body, asReader)).json;
  const mean = (period: { observedPoints: number; results: Array<{ values: number[] }> }) => {
    const v = period.results[0].values.slice(0, period.observedPoints);
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  /** The main chart's numbers table: one row per point, one number per line. */
  const chartNumbers = async () => {
    await page.waitForSelector("[data-testid=trends][data-state=ready]");
    return page.$$eval("[data-testid=trend-numbers] tbody tr", (rows) =>
      rows.map((r) => [...r.querySelectorAll("td[data-value]")].map((td) => Number(td.getAttribute("data-value")))),
    );
  };
  const chartAnswer = async (body: Record<string, unknown>) => {
    const res = await api("insights/trends", body);
    return res.current.points.map((_: string, i: number) => res.current.results.map((r: { values: number[] }) => r.values[i]));
  };
  /** The chart redraws a moment after a control changes: its numbers reach the API's answer, or the test fails after 10 s. */
  const expectChart = async (body: Record<string, unknown>) => {
    const expected = await chartAnswer(body);
    await expect.poll(chartNumbers, { timeout: 10_000, interval: 100 }).toEqual(expected);
  };
  const kpi = async (id: string) => Number(await page.getAttribute(`[data-testid=kpi-${id}]`, "data-value"));
  const settled = async () => {
    await page.waitForSelector("[data-testid=kpis][data-state=ready]");
    // (waitForFunction would evaluate a string, which the dashboard's Content-Security-Policy forbids.)
    await page.waitForSelector("[data-state=loading]", { state: "detached" });
  };

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    await buildDashboard(await import("esbuild"));
    db = await createTestDatabase("postgres");
    server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20", ALLOWED_EVENTS: "*" } });
    await loadFixture(server.url, testKeys, fixture);
    browser = await launchChromium();
    page = await (await browser.newContext({ timezoneId: "UTC", viewport: { width: 1280, height: 1600 } })).newPage();
    trouble = watchPage(page, { api: server.url, page: server.url });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
  });

  it("refuses without a read key: a wrong key and a write key are turned away, a read key opens it", async () => {
    await page.goto(server.url);
    await page.waitForSelector("[data-testid=login]");
    expect(await page.$("[data-testid=kpis]")).toBeNull();
    for (const [key, says] of [
      ["ipr_not-a-key-of-this-server", /key/i],
      [testKeys.write, /read key/i],
    ] as const) {
      await page.fill("input[name=read-key]", key);
      await page.click("button[type=submit]");
      expect(await (await page.waitForSelector("[data-testid=login-error]")).textContent()).toMatch(says);
    }
    expect(page.url()).not.toContain("ipr_");
    await page.fill("input[name=read-key]", testKeys.read);
    await page.click("button[type=submit]");
    await settled();
    await page.screenshot({ path: join(artefacts, "dashboard.png"), fullPage: true });
    // The key stays in this tab only: not in the URL, not in a cookie.
    expect(page.url()).not.toContain(testKeys.read);
    expect(await page.context().cookies()).toEqual([]);
  });

  it("each KPI equals the API's answer for the same range", async () => {
    const r = lastDays(30, "UTC");
    const trends = (interval: string, series: unknown[] = [{ math: "unique_users" }]) => api("insights/trends", { ...r, interval, compare: true, series });
    // WAU and MAU: distinct users in the 7 and 30 days up to the range's last day.
    const activeIn = (days: number) =>
      api("insights/trends", { ...r, from: daysBefore(r.to, days - 1), interval: "month", compare: true, series: [{ math: "unique_users" }] });
    const [dau, wau, mau, events, registered, conversion] = await Promise.all([
      trends("day"),
      activeIn(7),
      activeIn(30),
      trends("day", [{ math: "total" }]),
      trends("month", [{ event: "user_registered", math: "unique_users" }]),
      api(`conversion-funnel?from=${r.from}&to=${r.to}&tz=UTC`),
    ]);
    expect(await kpi("dau")).toBeCloseTo(mean(dau.current), 9);
    expect(await kpi("wau")).toBe(wau.current.results[0].aggregate);
    expect(Number(await page.getAttribute("[data-testid=kpi-wau]", "data-previous"))).toBe(wau.previous.results[0].aggregate);
    expect(await kpi("mau")).toBe(mau.current.results[0].aggregate);
    expect(await kpi("events")).toBe(events.current.results[0].aggregate);
    expect(Number(await page.getAttribute("[data-testid=kpi-events]", "data-previous"))).toBe(events.previous.results[0].aggregate);
    expect(await kpi("new-users")).toBe(registered.current.results[0].aggregate);
    expect(await kpi("conversion")).toBeCloseTo(conversion.conversionRate, 9);
    expect(await kpi("events")).toBeGreaterThan(0);
    // Shown as a person reads them: a percentage, grouped digits.
    expect(await page.textContent("[data-testid=kpi-conversion] .value")).toMatch(/%$/);
  });

  it("the charts and lists equal the API's answers", async () => {
    const r = lastDays(30, "UTC");
    await page.click("[data-testid=trends] summary");
    await expectChart({ ...r, interval: "day", series: [{ math: "total" }] });
    const top = await api("insights/trends", { ...r, interval: "month", series: [{ math: "total" }], breakdownType: "event", breakdownLimit: 10 });
    const listed = await page.$$eval("[data-testid=top-events] tbody tr", (rows) =>
      rows.map((x) => [x.querySelector(".name")?.textContent, Number(x.querySelector("td[data-value]")?.getAttribute("data-value"))]),
    );
    expect(listed).toEqual(top.current.results.map((x: { breakdownValue: string; aggregate: number }) => [x.breakdownValue, x.aggregate]));
    const funnel = await api(`funnel?steps=user_registered&steps=payment_success&window_days=14&from=${r.from}&to=${r.to}&tz=UTC`);
    const shown = await page.$$eval("[data-testid=funnel] li [data-value]", (cells) => cells.map((c) => c.getAttribute("data-value")));
    expect(shown).toEqual(funnel.steps.map((s: { users: string }) => s.users));
    const retention = await api(`retention?start_event=user_registered&period=day&periods=7&from=${r.from}&to=${r.to}&tz=UTC`);
    const cohortSizes = await page.$$eval("[data-testid=retention-table] tbody tr td:nth-child(2)", (cells) => cells.map((c) => c.getAttribute("data-value")));
    expect(cohortSizes).toEqual(retention.cohorts.map((c: { users: string }) => c.users));
    // Periods that have not happened yet are shown as such, not as 0%.
    expect(await page.$$eval("[data-testid=retention-table] td.future", (cells) => cells.length)).toBeGreaterThan(0);
  });

  it("redraws with the new numbers when the interval, a filter, the breakdown, the range or the time zone changes", async () => {
    let r = lastDays(30, "UTC");
    await page.selectOption("[data-testid=trends] select[name=interval]", "week");
    await expectChart({ ...r, interval: "week", series: [{ math: "total" }] });

    await page.click("[data-testid=add-filter]");
    await page.fill("[data-testid=filter-0] input[name=filter-property]", "path");
    await page.fill("[data-testid=filter-0] input[name=filter-value]", "/pricing");
    await page.press("[data-testid=filter-0] input[name=filter-value]", "Enter");
    const filters = [{ property: "path", operator: "equals", value: "/pricing" }];
    await expectChart({ ...r, interval: "week", series: [{ math: "total" }], filters });

    await page.fill("[data-testid=trends] input[name=breakdown]", "returning");
    await page.press("[data-testid=trends] input[name=breakdown]", "Enter");
    const broken = { ...r, interval: "week", series: [{ math: "total" }], filters, breakdown: "returning", breakdownLimit: 5 };
    await expectChart(broken);

    await page.click("[data-testid=range-7]");
    r = lastDays(7, "UTC");
    await settled();
    await expectChart({ ...broken, ...r });
    const events7 = await api("insights/trends", { ...r, interval: "day", compare: true, series: [{ math: "total" }] });
    expect(await kpi("events")).toBe(events7.current.results[0].aggregate);

    // A half-hour zone, by the name Chromium lists it under (Asia/Kolkata's older alias).
    await page.selectOption("[data-testid=tz]", "Asia/Calcutta");
    r = lastDays(7, "Asia/Calcutta");
    await settled();
    await expectChart({ ...broken, ...r });
    const dau = await api("insights/trends", { ...r, interval: "day", compare: true, series: [{ math: "unique_users" }] });
    expect(await kpi("dau")).toBeCloseTo(mean(dau.current), 9);
    await page.screenshot({ path: join(artefacts, "dashboard-filtered.png"), fullPage: true });
  }, 90_000);

  it("the live tail shows an event captured during the test within seconds", async () => {
    await page.waitForSelector("[data-testid=live-tail][data-status=live]", { timeout: 10_000 });
    const marker = `live_check_${Date.now()}`;
    const res = await postJson(`${server.url}/api/v1/capture`, { event: marker, distinctId: "watcher", properties: {} }, withKey(testKeys.write));
    expect(res.status).toBe(200);
    const row = await page.waitForSelector(`[data-testid=live-events] tr:has-text("${marker}")`, { timeout: 10_000 });
    expect(await row.textContent()).toContain("watcher");
    await page.screenshot({ path: join(artefacts, "dashboard-live.png") });
  });

  it("met no console error, page error or failed request beyond the refused keys", () => {
    expect(trouble.pageErrors).toEqual([]);
    expect(trouble.failedRequests).toEqual([]);
    expect(trouble.foreignRequests).toEqual([]);
    // The two refused logins are the only answers >= 400 (and the browser's console lines about them).
    expect(trouble.badResponses.length).toBe(2);
    expect(trouble.console.filter((l) => !/status of 40[13]/.test(l))).toEqual([]);
  });
});
