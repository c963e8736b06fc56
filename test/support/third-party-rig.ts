import type { Page, Request } from "playwright-core";
import { createTestDatabase } from "./databases.js";
import { type InProcessServer, startInProcessServer } from "./server/in-process-server.js";
import { type BrowserTrouble, bundleForBrowser, launchChromium, openEventsTable, type PageServer, startPageServer, watchPage } from "./third-party-pages.js";

/** What a third-party browser SDK test drives and reads. */
export interface ThirdPartyRig {
  /** The engine as `npm start` runs it (capture, in-process worker) on PostgreSQL. */
  server: InProcessServer;
  /** The page's own origin, other than the API's. */
  pages: PageServer;
  /** The stored events, read from the database directly. */
  events: Awaited<ReturnType<typeof openEventsTable>>;
  /** A page of headless Chromium, not yet navigated. */
  page: Page;
  trouble: BrowserTrouble;
  close(): Promise<void>;
}

/**
 * The rig of the posthog-js and analytics-next tests: the SDK bundled from
 * `sdkSource` and served at `scriptPath` beside `files`, and `onRequest`
 * seeing every request the browser makes (Playwright's view of the wire).
 * What was opened before a failure is closed again.
 */
export async function openThirdPartyRig(opts: {
  sdkSource: string;
  scriptPath: string;
  files: Record<string, { type: string; body: string }>;
  onRequest: (request: Request, apiUrl: string) => void;
}): Promise<ThirdPartyRig> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const bundle = await bundleForBrowser(opts.sdkSource);
    const db = await createTestDatabase("postgres");
    closers.push(() => db.drop());
    const server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20" } });
    closers.push(() => server.close());
    const events = await openEventsTable(db);
    closers.push(() => events.close());
    const pages = await startPageServer({ ...opts.files, [opts.scriptPath]: { type: "text/javascript", body: bundle } });
    closers.push(() => pages.close());
    const browser = await launchChromium();
    closers.push(() => browser.close());
    const context = await browser.newContext();
    closers.push(() => context.close());
    context.on("request", (r) => opts.onRequest(r, server.url));
    const page = await context.newPage();
    const trouble = watchPage(page, { api: server.url, page: pages.url });
    return { server, pages, events, page, trouble, close };
  } catch (e) {
    await close();
    throw e;
  }
}
