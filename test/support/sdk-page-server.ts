import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { listenOnLoopback } from "./loopback-server.js";

/**
 * Serves the test page and the built IIFE bundle from an origin other than
 * the API's, so every request the SDK makes is cross-origin (CORS).
 * The page reads its SDK options from the query string.
 */
export async function startPageServer(bundlePath: string) {
  const page = `<!doctype html>
<meta charset="utf-8">
<title>insightplus sdk test</title>
<p id="status">loading</p>
<script>
  window.pageErrors = [];
  addEventListener("error", (e) => pageErrors.push(String(e.message)));
  addEventListener("unhandledrejection", (e) => pageErrors.push(String(e.reason)));
  const q = new URLSearchParams(location.search);
  if (q.get("nolocks")) Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined });
  if (q.get("fill")) {
    // Fill localStorage to the last byte, as another script on the page might.
    let chunk = "x".repeat(512 * 1024), i = 0;
    while (chunk.length >= 1) {
      try { localStorage.setItem("filler:" + i++, chunk); } catch { chunk = chunk.slice(0, Math.floor(chunk.length / 2)); }
    }
  }
</script>
<script src="/insightplus.js"></script>
<script>
  window.drops = [];
  window.errors = [];
  window.client = insightplus.init({
    host: q.get("host"),
    apiKey: q.get("apiKey") || undefined,
    flushAt: Number(q.get("flushAt") || 20),
    flushIntervalMs: Number(q.get("flushIntervalMs") || 5000),
    retry: { baseMs: 200, maxMs: 1000 },
    onDrop(events, info) {
      const d = { uuids: events.map((e) => e.uuid), reason: info.reason };
      drops.push(d);
      // Drops reported while the page unloads are read back by the test from sessionStorage.
      try { sessionStorage.setItem("test:drops", JSON.stringify(drops)); } catch {}
    },
    onError(e) { errors.push({ kind: e.kind, message: e.message, retryInMs: e.retryInMs }); },
  });
  document.getElementById("status").textContent = "ready";
</script>`;
  const bundle = () => readFileSync(bundlePath);
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/insightplus.js")) {
      res.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
      return res.end(bundle());
    }
    if (req.url?.startsWith("/other")) {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<!doctype html><p>another page</p>");
    }
    // no-store keeps pages out of the back/forward cache unless a test asks for it (?bfcache=1).
    const bfcache = new URL(req.url ?? "/", "http://x").searchParams.get("bfcache");
    res.writeHead(200, { "content-type": "text/html", ...(bfcache ? {} : { "cache-control": "no-store" }) });
    res.end(page);
  });
  return listenOnLoopback(server);
}
