// Child of bench/sdk/sdk-bench.ts: memory of the Node client while the server is
// down and the app keeps capturing. Run with --expose-gc; prints one JSON line.
import { type AddressInfo, createServer } from "node:net";
import { init } from "../../sdk/src/node/index.js";

const captures = Number(process.env.BENCH_SDK_CAPTURES ?? 1_000_000);

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

const host = `http://127.0.0.1:${await closedPort()}`;
let dropped = 0;
gc();
const before = process.memoryUsage();
const client = init({ host, onDrop: (events) => void (dropped += events.length), onError: () => undefined });
let peakRss = 0;
const started = performance.now();
for (let i = 0; i < captures; i++) {
  client.capture("page_view", { path: `/pages/${i % 100}`, referrer: "https://example.com/", i });
  if (i % 50_000 === 0) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await new Promise((r) => setImmediate(r)); // let the (failing) send loop run, as a real app would
  }
}
const ms = performance.now() - started;
gc();
const after = process.memoryUsage();
peakRss = Math.max(peakRss, after.rss);
const { pending } = await client.flush();
console.log(
  JSON.stringify({
    captures,
    queued: pending,
    dropped,
    ms: Math.round(ms),
    rssBeforeMb: mb(before.rss),
    rssAfterMb: mb(after.rss),
    rssPeakMb: mb(peakRss),
    heapUsedDeltaMb: mb(after.heapUsed - before.heapUsed),
  }),
);
await client.shutdown({ timeoutMs: 100 });
