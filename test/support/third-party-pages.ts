import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import pg from "pg";
import { type Browser, chromium, type Page } from "playwright-core";
import { postgresConnectionOf, type TestDatabase } from "./databases.js";
import { listenOnLoopback } from "./loopback-server.js";

// Support for the tests that run third-party browser SDKs (posthog-js, analytics-next), unmodified,
// in headless Chromium against the real server.

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const inCI = !!process.env.CI && process.env.CI !== "false";
/** Why these tests cannot run here (no Chromium, outside CI), else undefined: in CI a missing Chromium fails instead. */
export const chromiumMissing = !existsSync(chromiumPath) && !inCI ? `${chromiumPath} not found (apt-get install -y chromium)` : undefined;

/** Headless Chromium, launched as test/sdk/sdk-browser.test.ts launches it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`CI=true and ${chromiumPath} is missing: install it (apt-get install -y chromium)`);
  return chromium.launch({
    executablePath: chromiumPath,
    // Playwright turns the back/forward cache off by default; real browsers have it on.
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * `source` (ES module code importing installed packages, as an app would) bundled by esbuild into one
 * IIFE script for a `<script>` tag, with the packages' own browser entry points and code unchanged.
 */
export async function bundleForBrowser(source: string): Promise<string> {
  const out = await build({
    stdin: { contents: source, resolveDir: repoRoot, loader: "js", sourcefile: "page-entry.js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  return out.outputFiles[0].text;
}

export interface PageServer {
  /** http://127.0.0.1:PORT: another origin than the API's, so every SDK request is cross-origin (CORS). */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves fixed files by path (the query string is left to the page's scripts), from an origin other than
 * the API's. `/favicon.ico` is an empty 204, so the browser's own favicon request logs no 404.
 */
export async function startPageServer(files: Record<string, { type: string; body: string }>): Promise<PageServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = files[path];
    if (file) {
      res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" });
      return res.end(file.body);
    }
    res.writeHead(path === "/favicon.ico" ? 204 : 404, { "cache-control": "no-store" });
    res.end();
  });
  return listenOnLoopback(server);
}

export interface BrowserTrouble {
  /** Console errors and warnings: the SDK's own, and the browser's about its requests (CORS, "Failed to load resource"). */
  console: string[];
  /** Uncaught exceptions and unhandled rejections in the page. */
  pageErrors: string[];
  /** Requests to the API that failed at the network level (a CORS refusal, a reset). */
  failedRequests: string[];
  /** Answers of the API with status >= 400. */
  badResponses: string[];
  /** Requests to neither the page's origin nor the API's (an SDK calling its vendor's own hosts). */
  foreignRequests: string[];
}

/**
 * Records everything that went wrong in `page` as a user or the SDK would see it, keeping only
 * `ignore`d console lines out (noise that is not the SDK's: say so there, never hide a failure).
 */
export function watchPage(page: Page, origins: { api: string; page: string }, ignore: RegExp[] = []): BrowserTrouble {
  const originOf = (url: string) => {
    try {
      return new URL(url).origin;
    } catch {
      return "";
    }
  };
  const toApi = (url: string) => originOf(url) === origins.api;
  const trouble: BrowserTrouble = { console: [], pageErrors: [], failedRequests: [], badResponses: [], foreignRequests: [] };
  page.on("request", (r) => {
    const url = r.url();
    if (/^https?:/.test(url) && !toApi(url) && originOf(url) !== origins.page) trouble.foreignRequests.push(`${r.method()} ${url}`);
  });
  page.on("console", (m) => {
    const type = m.type();
    if (type !== "error" && type !== "warning") return;
    const line = `${type}: ${m.text()} (at ${m.location().url || "?"})`;
    if (!ignore.some((re) => re.test(line))) trouble.console.push(line);
  });
  page.on("pageerror", (e) => trouble.pageErrors.push(String(e?.stack ?? e)));
  page.on("requestfailed", (r) => {
    if (toApi(r.url())) trouble.failedRequests.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (toApi(r.url()) && r.status() >= 400) trouble.badResponses.push(`${r.request().method()} ${r.url()}: ${r.status()}`);
  });
  return trouble;
}

export interface StoredEventRow {
  projectId: string;
  uuid: string;
  event: string;
  distinctId: string;
  properties: Record<string, any>;
  eventTimestamp: Date;
}

/** Reads the events table of a PostgreSQL TestDatabase directly (what the in-process worker stored). */
export async function openEventsTable(db: TestDatabase) {
  const client = new pg.Client(postgresConnectionOf(db.env));
  await client.connect();
  return {
    async rows(): Promise<StoredEventRow[]> {
      const res = await client.query(
        "SELECT project_id, uuid::text AS uuid, event, distinct_id, properties, event_timestamp FROM events ORDER BY event_timestamp, uuid",
      );
      return res.rows.map((r) => ({
        projectId: r.project_id,
        uuid: r.uuid,
        event: r.event,
        distinctId: r.distinct_id,
        properties: r.properties,
        eventTimestamp: r.event_timestamp,
      }));
    },
    /** Rows per uuid: 1 for each event stored once. */
    async countsByUuid(): Promise<Map<string, number>> {
      const res = await client.query("SELECT uuid::text AS uuid, count(*)::int AS n FROM events GROUP BY uuid");
      return new Map(res.rows.map((r) => [r.uuid as string, r.n as number]));
    },
    close: () => client.end(),
  };
}
